/**
 * DepthwiseConv2dNativeBackpropInput for wasm (the backend has none): a direct loop over the heap,
 * dX[n, iy, ix, c] += dY[n, oy, ox, c·m + q] · W[ky, kx, c, q], channels innermost.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { convGeometry } from './conv-geometry.js';
import { f32, zeros } from './heap.js';
import type { KernelArgs, TensorInfo } from './heap.js';

interface Attrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
  inputShape: [number, number, number, number];
}

function depthwiseBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as Attrs;
  const g = convGeometry(a.inputShape, filter.shape, a, true);
  const m = filter.shape[3] ?? 1;
  const C = g.inC;
  const dx = zeros(wasm, [...a.inputShape]);
  const dxs = f32(wasm, dx);
  const dys = f32(wasm, dy);
  const ws = f32(wasm, filter);
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        const d = ((n * g.outH + oy) * g.outW + ox) * g.outC;
        for (let ky = 0; ky < g.kH; ky++) {
          const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
          if (iy < 0 || iy >= g.inH) continue;
          for (let kx = 0; kx < g.kW; kx++) {
            const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
            if (ix < 0 || ix >= g.inW) continue;
            const s = ((n * g.inH + iy) * g.inW + ix) * C;
            const w = (ky * g.kW + kx) * C * m;
            if (m === 1) {
              for (let c = 0; c < C; c++) dxs[s + c] = (dxs[s + c] as number) + (dys[d + c] as number) * (ws[w + c] as number);
            } else {
              for (let c = 0; c < C; c++) {
                let sum = 0;
                for (let q = 0; q < m; q++) sum += (dys[d + c * m + q] as number) * (ws[w + c * m + q] as number);
                dxs[s + c] = (dxs[s + c] as number) + sum;
              }
            }
          }
        }
      }
    }
  }
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as tf.KernelFunc,
};
