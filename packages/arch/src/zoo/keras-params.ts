/**
 * Reference data: total parameters of Keras Applications' models as `model.summary()` prints them
 * (`include_top=True`, 1000 classes; TF 2.x Keras Applications). Not computed here: what ScaleLab's counts are
 * checked against, in tests and beside the analysis in notebooks and reports.
 */
export const KERAS_APPLICATIONS_PARAMS: Readonly<Record<string, number>> = {
  'efficientnet-b0': 5_330_571,
  'efficientnet-b1': 7_856_239,
  'efficientnet-b2': 9_177_569,
  'efficientnet-b3': 12_320_535,
  'efficientnet-b4': 19_466_823,
  'efficientnet-b5': 30_562_527,
  'efficientnet-b6': 43_265_143,
  'efficientnet-b7': 66_658_687,
  'efficientnetv2-b0': 7_200_312,
  'efficientnetv2-b1': 8_212_124,
  'efficientnetv2-b2': 10_178_374,
  'efficientnetv2-b3': 14_467_622,
  'efficientnetv2-s': 21_612_360,
  'efficientnetv2-m': 54_431_388,
  'efficientnetv2-l': 119_027_848,
  mobilenetv1: 4_253_864,
  mobilenetv2: 3_538_984,
  resnet50: 25_636_712,
  resnet101: 44_707_176,
  resnet152: 60_419_944,
  densenet121: 8_062_504,
  densenet169: 14_307_880,
  densenet201: 20_242_984,
};
