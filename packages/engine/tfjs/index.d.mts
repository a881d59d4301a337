// TF.js' own types for index.mjs's default export: as a namespace, so `tf.Tensor` is a type as well as a value.
import * as tf from '@tensorflow/tfjs';

export default tf;
