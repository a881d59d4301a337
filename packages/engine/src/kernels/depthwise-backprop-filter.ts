/**
 * DepthwiseConv2dNativeBackpropFilter for wasm (the backend has none): a direct loop over the heap,
 * dW[ky, kx, c, q] = Σ x[n, iy, ix, c] · dY[n, oy, ox, c·m + q], channels innermost, summed in float64.
 * With one filter per channel and channels a multiple of 4 the loop is SIMD wasm (simd/channel-loops.wat),
 * otherwise JavaScript.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { convGeometry } from './conv-geometry.js';
import type { ConvGeometry } from './conv-geometry.js';
import { f32, f64, free } from './heap.js';
import type { KernelArgs, TensorInfo } from './heap.js';
import { address, channelLoops } from './simd/channel-loops.js';

interface Attrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
  filterShape: [number, number, number, number];
}

function depthwiseBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as Attrs;
  const g = convGeometry(x.shape, a.filterShape, a, true);
  const m = a.filterShape[3];
  const C = g.inC;
  const out = wasm.makeOutput([...a.filterShape], 'float32');
  if (m === 1 && simdLoop(wasm, x, dy, out, g)) return out;
  const acc = new Float64Array(g.kH * g.kW * C * m);
  const xs = f32(wasm, x);
  const dys = f32(wasm, dy);
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
              for (let c = 0; c < C; c++) acc[w + c] = (acc[w + c] as number) + (xs[s + c] as number) * (dys[d + c] as number);
            } else {
              for (let c = 0; c < C; c++) {
                const xv = xs[s + c] as number;
                for (let q = 0; q < m; q++) acc[w + c * m + q] = (acc[w + c * m + q] as number) + xv * (dys[d + c * m + q] as number);
              }
            }
          }
        }
      }
    }
  }
  f32(wasm, out).set(acc);
  return out;
}

/** The SIMD loop into `out`; false when it does not apply. */
function simdLoop(wasm: BackendWasm, x: TensorInfo, dy: TensorInfo, out: TensorInfo, g: ConvGeometry): boolean {
  const loops = channelLoops(wasm, g.inC);
  if (loops === undefined) return false;
  const taps = g.kH * g.kW * g.inC;
  const scratch = wasm.makeOutput([taps], 'float32');
  const acc = wasm.makeOutput([2 * taps], 'float32'); // float64
  f64(wasm, acc).fill(0);
  loops.depthwiseFilterGradient(
    address(wasm, x), address(wasm, dy), address(wasm, scratch), address(wasm, acc),
    g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.kH, g.kW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft,
  );
  f32(wasm, out).set(f64(wasm, acc));
  free(wasm, scratch, acc);
  return true;
}

export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as tf.KernelFunc,
};
