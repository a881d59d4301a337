/**
 * Progress for long work: a self-rewriting line on a terminal, plain lines otherwise (logs, CI). Always on
 * stderr, so `--json` output on stdout stays clean.
 */
export interface ProgressLine {
  update(text: string): void;
  /** A line that stays (an epoch summary). */
  log(text: string): void;
  done(): void;
}

export function progressLine(stream: NodeJS.WriteStream = process.stderr): ProgressLine {
  const tty = stream.isTTY === true;
  let shown = false;
  let lastPlain = 0;
  return {
    update(text) {
      if (tty) {
        stream.write(`\r\x1b[2K${text}`);
        shown = true;
      } else if (Date.now() - lastPlain > 10_000) {
        // Without a terminal, a line every ten seconds at most.
        stream.write(`${text}\n`);
        lastPlain = Date.now();
      }
    },
    log(text) {
      stream.write(tty && shown ? `\r\x1b[2K${text}\n` : `${text}\n`);
      shown = false;
    },
    done() {
      if (tty && shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
