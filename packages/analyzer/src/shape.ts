/** Tensor shapes as model files state them: the batch axis first, `null` where a dimension is unknown. */

export type Dim = number | null;
export type Shape = readonly Dim[];

/** Product of the dims, `null` when any is unknown. */
export const product = (dims: readonly Dim[]): number | null => dims.reduce<number | null>((p, d) => (p === null || d === null ? null : p * d), 1);

/**
 * Element-wise ops broadcast their inputs (numpy rules, aligned at the last axis; a missing leading axis counts as 1).
 * An unknown dim stays unknown unless another input fixes it.
 */
export function broadcastShapes(shapes: readonly Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s): Dim => {
      const d = s[s.length - rank + i];
      return d === undefined ? 1 : d;
    });
    const known = dims.filter((d): d is number => d !== null);
    out.push(known.length < dims.length ? (known.find((d) => d !== 1) ?? null) : Math.max(...known));
  }
  return out;
}

export const formatShape = (shape: Shape): string => `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
