/** im2col and col2im for NHWC convolutions, on `Float32Array` views of the heap. */
import type { ConvGeometry } from './conv-geometry.js';

/**
 * cols[p, (ky·kW + kx)·C + c] = x[n, oy·sH − padTop + ky·dH, ox·sW − padLeft + kx·dW, c] (0 outside), where
 * p = (n·outH + oy)·outW + ox. Rows are written contiguously.
 */
export function im2col(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = g;
  const K = kH * kW * inC;
  let p = 0;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, p++) {
        let o = p * K;
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - padTop + ky * dilationH;
          for (let kx = 0; kx < kW; kx++, o += inC) {
            const ix = ox * strideW - padLeft + kx * dilationW;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
              cols.fill(0, o, o + inC);
            } else {
              // A plain loop: subarray()+set() allocates a view per pixel, ruinous for few channels (stem: 3).
              const s = ((n * inH + iy) * inW + ix) * inC;
              for (let c = 0; c < inC; c++) cols[o + c] = x[s + c] as number;
            }
          }
        }
      }
    }
  }
}

/** The adjoint of `im2col`: dx[…] += dCols[p, …], summing where patches overlap. `dx` must start at zero. */
export function col2im(dCols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = g;
  const K = kH * kW * inC;
  let p = 0;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, p++) {
        let o = p * K;
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - padTop + ky * dilationH;
          for (let kx = 0; kx < kW; kx++, o += inC) {
            const ix = ox * strideW - padLeft + kx * dilationW;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
            const d = ((n * inH + iy) * inW + ix) * inC;
            for (let c = 0; c < inC; c++) dx[d + c] = (dx[d + c] as number) + (dCols[o + c] as number);
          }
        }
      }
    }
  }
}

/** A 1×1, stride-1, unpadded convolution: its im2col is the input itself. */
export const isPointwise = (g: ConvGeometry): boolean =>
  g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0;
