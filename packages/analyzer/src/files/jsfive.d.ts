/** The part of jsfive (pure-JS HDF5 reader, usnistgov/jsfive) read here; the package ships no types. */
declare module 'jsfive' {
  export class Dataset {
    readonly shape: number[];
  }
  export class Group {
    readonly keys: string[];
    get(path: string): Group | Dataset | null;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
}
