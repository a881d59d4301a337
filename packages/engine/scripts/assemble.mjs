// WAT text → wasm bytes with wabt, the features our kernels use enabled.
import wabtInit from 'wabt';

export async function assemble(text, name = 'channel-loops.wat') {
  const wabt = await wabtInit();
  const module = wabt.parseWat(name, text, { simd: true, bulk_memory: true });
  try {
    module.validate();
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
