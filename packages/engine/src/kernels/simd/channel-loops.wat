;; ScaleLab's SIMD loops for the wasm training kernels: per-channel reductions and affine maps over NHWC float32
;; tensors, the depthwise filter gradient, and the elementwise gradient of swish. The module imports the TF.js wasm backend's own memory, so every
;; pointer is a tensor's byte offset on that heap and nothing is copied.
;;
;; Every per-channel function takes C (channels) as a multiple of 4, at least 4: one f32x4 holds four neighbouring
;; channels. Elementwise functions take a count that is a multiple of 4.
;; Sums are taken in float32 over short runs (64 positions, or one image) and folded into float64 accumulators,
;; so long reductions keep float64 accuracy at float32x4 speed.
;;
;; Generated into channel-loops.wasm.ts by `npm run build:simd -w @scalelab/engine`; a test checks the two agree.
(module
  (import "env" "memory" (memory 1))

  ;; dst[c] += src[c] for c < C, dst float64, src float32.
  (func $fold (param $src i32) (param $dst i32) (param $C i32)
    (local $c i32) (local $v v128) (local $d i32)
    (loop $channels
      (local.set $v (v128.load (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2)))))
      (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 3))))
      (v128.store (local.get $d)
        (f64x2.add (v128.load (local.get $d)) (f64x2.promote_low_f32x4 (local.get $v))))
      (v128.store offset=16 (local.get $d)
        (f64x2.add (v128.load offset=16 (local.get $d))
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (local.set $c (i32.add (local.get $c) (i32.const 4)))
      (br_if $channels (i32.lt_u (local.get $c) (local.get $C)))))

  ;; Over M positions of x (M×C): sum[c] += Σ x, sumSq[c] += Σ x² (float64 accumulators; scratch: 2·C floats).
  (func (export "channelSums")
    (param $x i32) (param $M i32) (param $C i32) (param $scratch i32) (param $sum i32) (param $sumSq i32)
    (local $rowBytes i32) (local $p i32) (local $end i32) (local $row i32) (local $c i32) (local $v v128) (local $q i32)
    (local.set $rowBytes (i32.shl (local.get $C) (i32.const 2)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $M)))
        (memory.fill (local.get $scratch) (i32.const 0) (i32.shl (local.get $rowBytes) (i32.const 1)))
        (local.set $end (i32.add (local.get $p) (i32.const 64)))
        (if (i32.gt_u (local.get $end) (local.get $M)) (then (local.set $end (local.get $M))))
        (loop $positions
          (local.set $row (i32.add (local.get $x) (i32.mul (local.get $p) (local.get $rowBytes))))
          (local.set $c (i32.const 0))
          (loop $channels
            (local.set $v (v128.load (i32.add (local.get $row) (local.get $c))))
            (local.set $q (i32.add (local.get $scratch) (local.get $c)))
            (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (local.get $v)))
            (local.set $q (i32.add (local.get $q) (local.get $rowBytes)))
            (v128.store (local.get $q)
              (f32x4.add (v128.load (local.get $q)) (f32x4.mul (local.get $v) (local.get $v))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br_if $channels (i32.lt_u (local.get $c) (local.get $rowBytes))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $positions (i32.lt_u (local.get $p) (local.get $end))))
        (call $fold (local.get $scratch) (local.get $sum) (local.get $C))
        (call $fold (i32.add (local.get $scratch) (local.get $rowBytes)) (local.get $sumSq) (local.get $C))
        (br $blocks))))

  ;; Over M positions: sumDy[c] += Σ dy, sumDyX[c] += Σ dy·(x − mean[c]) (float64 accumulators; scratch: 2·C floats).
  (func (export "gradientSums")
    (param $dy i32) (param $x i32) (param $M i32) (param $C i32) (param $mean i32) (param $scratch i32)
    (param $sumDy i32) (param $sumDyX i32)
    (local $rowBytes i32) (local $p i32) (local $end i32) (local $offset i32) (local $c i32) (local $g v128) (local $q i32)
    (local.set $rowBytes (i32.shl (local.get $C) (i32.const 2)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $M)))
        (memory.fill (local.get $scratch) (i32.const 0) (i32.shl (local.get $rowBytes) (i32.const 1)))
        (local.set $end (i32.add (local.get $p) (i32.const 64)))
        (if (i32.gt_u (local.get $end) (local.get $M)) (then (local.set $end (local.get $M))))
        (loop $positions
          (local.set $offset (i32.mul (local.get $p) (local.get $rowBytes)))
          (local.set $c (i32.const 0))
          (loop $channels
            (local.set $g (v128.load (i32.add (i32.add (local.get $dy) (local.get $offset)) (local.get $c))))
            (local.set $q (i32.add (local.get $scratch) (local.get $c)))
            (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (local.get $g)))
            (local.set $q (i32.add (local.get $q) (local.get $rowBytes)))
            (v128.store (local.get $q)
              (f32x4.add (v128.load (local.get $q))
                (f32x4.mul (local.get $g)
                  (f32x4.sub (v128.load (i32.add (i32.add (local.get $x) (local.get $offset)) (local.get $c)))
                    (v128.load (i32.add (local.get $mean) (local.get $c)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br_if $channels (i32.lt_u (local.get $c) (local.get $rowBytes))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $positions (i32.lt_u (local.get $p) (local.get $end))))
        (call $fold (local.get $scratch) (local.get $sumDy) (local.get $C))
        (call $fold (i32.add (local.get $scratch) (local.get $rowBytes)) (local.get $sumDyX) (local.get $C))
        (br $blocks))))

  ;; out = a[c]·u + b[c]·v + d[c] over M positions (u, v, out: M×C; a, b, d: C). With b = 0 and v = u it is
  ;; batch norm's forward map; in general, its backward one.
  (func (export "channelAffine")
    (param $u i32) (param $v i32) (param $out i32) (param $M i32) (param $C i32) (param $a i32) (param $b i32) (param $d i32)
    (local $rowBytes i32) (local $offset i32) (local $total i32) (local $c i32) (local $i i32)
    (local.set $rowBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $total (i32.mul (local.get $M) (local.get $rowBytes)))
    (block $done
      (loop $positions
        (br_if $done (i32.ge_u (local.get $offset) (local.get $total)))
        (local.set $c (i32.const 0))
        (loop $channels
          (local.set $i (i32.add (local.get $offset) (local.get $c)))
          (v128.store (i32.add (local.get $out) (local.get $i))
            (f32x4.add
              (f32x4.add
                (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $c))) (v128.load (i32.add (local.get $u) (local.get $i))))
                (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $c))) (v128.load (i32.add (local.get $v) (local.get $i)))))
              (v128.load (i32.add (local.get $d) (local.get $c)))))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br_if $channels (i32.lt_u (local.get $c) (local.get $rowBytes))))
        (local.set $offset (i32.add (local.get $offset) (local.get $rowBytes)))
        (br $positions))))

  ;; Depthwise filter gradient, one filter per channel: acc[ky, kx, c] += Σ x[n, iy, ix, c]·dy[n, oy, ox, c] with
  ;; iy = oy·sH − padTop + ky·dH (ix likewise), taps outside x skipped. acc is float64 (kH·kW·C); each image is
  ;; summed in float32 into scratch (kH·kW·C floats) and then folded into acc.
  (func (export "depthwiseFilterGradient")
    (param $x i32) (param $dy i32) (param $scratch i32) (param $acc i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $kH i32) (param $kW i32) (param $sH i32) (param $sW i32) (param $dH i32) (param $dW i32)
    (param $padTop i32) (param $padLeft i32)
    (local $rowBytes i32) (local $n i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32)
    (local $iy i32) (local $ix i32) (local $c i32) (local $d i32) (local $s i32) (local $w i32) (local $image i32)
    (local.set $rowBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $d (local.get $dy))
    (loop $images
      (memory.fill (local.get $scratch) (i32.const 0)
        (i32.mul (i32.mul (local.get $kH) (local.get $kW)) (local.get $rowBytes)))
      (local.set $image (i32.mul (i32.mul (local.get $n) (local.get $H)) (local.get $W)))
      (local.set $oy (i32.const 0))
      (loop $outRows
        (local.set $ox (i32.const 0))
        (loop $outColumns
          (local.set $ky (i32.const 0))
          (loop $tapRows
            (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $padTop))
              (i32.mul (local.get $ky) (local.get $dH))))
            (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $H)))
              (then
                (local.set $kx (i32.const 0))
                (loop $tapColumns
                  (local.set $ix (i32.add (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $padLeft))
                    (i32.mul (local.get $kx) (local.get $dW))))
                  (if (i32.and (i32.ge_s (local.get $ix) (i32.const 0)) (i32.lt_s (local.get $ix) (local.get $W)))
                    (then
                      (local.set $s (i32.add (local.get $x)
                        (i32.mul (i32.add (i32.add (local.get $image) (i32.mul (local.get $iy) (local.get $W))) (local.get $ix))
                          (local.get $rowBytes))))
                      (local.set $w (i32.add (local.get $scratch)
                        (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kW)) (local.get $kx)) (local.get $rowBytes))))
                      (local.set $c (i32.const 0))
                      (loop $channels
                        (v128.store (i32.add (local.get $w) (local.get $c))
                          (f32x4.add (v128.load (i32.add (local.get $w) (local.get $c)))
                            (f32x4.mul (v128.load (i32.add (local.get $s) (local.get $c)))
                              (v128.load (i32.add (local.get $d) (local.get $c))))))
                        (local.set $c (i32.add (local.get $c) (i32.const 16)))
                        (br_if $channels (i32.lt_u (local.get $c) (local.get $rowBytes))))))
                  (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                  (br_if $tapColumns (i32.lt_u (local.get $kx) (local.get $kW))))))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br_if $tapRows (i32.lt_u (local.get $ky) (local.get $kH))))
          (local.set $d (i32.add (local.get $d) (local.get $rowBytes)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br_if $outColumns (i32.lt_u (local.get $ox) (local.get $OW))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br_if $outRows (i32.lt_u (local.get $oy) (local.get $OH))))
      (call $fold (local.get $scratch) (local.get $acc) (i32.mul (i32.mul (local.get $kH) (local.get $kW)) (local.get $C)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $images (i32.lt_u (local.get $n) (local.get $N)))))
;; Gradient of swish y = x·s, s = sigmoid(x): dx = dy·s·(1 + x·(1 − s)), over n floats (n a multiple of 4).
  (func (export "swishGradient") (param $dy i32) (param $x i32) (param $s i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $sv v128) (local $one v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $elements
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $sv (v128.load (i32.add (local.get $s) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul
            (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $i))) (local.get $sv))
            (f32x4.add (local.get $one)
              (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $i))) (f32x4.sub (local.get $one) (local.get $sv))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $elements))))
;; c (K×N) = aᵀ·b over P rows: c[k, n] = Σ_p a[p, k]·b[p, n], a P×K and b P×N row-major (the filter gradient
  ;; of a 1×1 convolution, or of im2col columns), K a multiple of 4, N a multiple of 4. Rows are taken in blocks of
  ;; `rows` (sized by the caller to stay in cache); within a block each 4×8 tile of c (4×4 at an N tail) is summed in
  ;; registers over the block's rows, then added to c. c is overwritten.
  (func (export "matmulTransposedA")
    (param $a i32) (param $b i32) (param $c i32) (param $P i32) (param $K i32) (param $N i32) (param $rows i32)
    (local $aRow i32) (local $bRow i32) (local $p0 i32) (local $p1 i32) (local $k i32) (local $n i32)
    (local $pa i32) (local $pb i32) (local $end i32) (local $ct i32) (local $nEight i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $aRow (i32.shl (local.get $K) (i32.const 2)))
    (local.set $bRow (i32.shl (local.get $N) (i32.const 2)))
    (local.set $nEight (i32.and (local.get $N) (i32.const -8)))
    (memory.fill (local.get $c) (i32.const 0) (i32.mul (local.get $K) (local.get $bRow)))
    (block $allRows
      (loop $blocks
        (br_if $allRows (i32.ge_u (local.get $p0) (local.get $P)))
        (local.set $p1 (i32.add (local.get $p0) (local.get $rows)))
        (if (i32.gt_u (local.get $p1) (local.get $P)) (then (local.set $p1 (local.get $P))))
        (local.set $k (i32.const 0))
        (loop $kTiles
          (local.set $n (i32.const 0))
          (block $eightsDone
            (loop $nTiles
              (br_if $eightsDone (i32.ge_u (local.get $n) (local.get $nEight)))
              (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
              (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
              (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
              (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
              (local.set $pa (i32.add (local.get $a) (i32.add (i32.mul (local.get $p0) (local.get $aRow)) (i32.shl (local.get $k) (i32.const 2)))))
              (local.set $pb (i32.add (local.get $b) (i32.add (i32.mul (local.get $p0) (local.get $bRow)) (i32.shl (local.get $n) (i32.const 2)))))
              (local.set $end (i32.add (local.get $a) (i32.add (i32.mul (local.get $p1) (local.get $aRow)) (i32.shl (local.get $k) (i32.const 2)))))
              (loop $rowsOfBlock
                (local.set $x0 (v128.load32_splat (local.get $pa)))
                (local.set $x1 (v128.load32_splat offset=4 (local.get $pa)))
                (local.set $x2 (v128.load32_splat offset=8 (local.get $pa)))
                (local.set $x3 (v128.load32_splat offset=12 (local.get $pa)))
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $b1 (v128.load offset=16 (local.get $pb)))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x0) (local.get $b0))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x0) (local.get $b1))))
                (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x1) (local.get $b0))))
                (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x1) (local.get $b1))))
                (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x2) (local.get $b0))))
                (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x2) (local.get $b1))))
                (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x3) (local.get $b0))))
                (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x3) (local.get $b1))))
                (local.set $pa (i32.add (local.get $pa) (local.get $aRow)))
                (local.set $pb (i32.add (local.get $pb) (local.get $bRow)))
                (br_if $rowsOfBlock (i32.lt_u (local.get $pa) (local.get $end))))
              (local.set $ct (i32.add (local.get $c) (i32.add (i32.mul (local.get $k) (local.get $bRow)) (i32.shl (local.get $n) (i32.const 2)))))
              (v128.store (local.get $ct) (f32x4.add (v128.load (local.get $ct)) (local.get $c00)))
              (v128.store offset=16 (local.get $ct) (f32x4.add (v128.load offset=16 (local.get $ct)) (local.get $c01)))
              (local.set $ct (i32.add (local.get $ct) (local.get $bRow)))
              (v128.store (local.get $ct) (f32x4.add (v128.load (local.get $ct)) (local.get $c10)))
              (v128.store offset=16 (local.get $ct) (f32x4.add (v128.load offset=16 (local.get $ct)) (local.get $c11)))
              (local.set $ct (i32.add (local.get $ct) (local.get $bRow)))
              (v128.store (local.get $ct) (f32x4.add (v128.load (local.get $ct)) (local.get $c20)))
              (v128.store offset=16 (local.get $ct) (f32x4.add (v128.load offset=16 (local.get $ct)) (local.get $c21)))
              (local.set $ct (i32.add (local.get $ct) (local.get $bRow)))
              (v128.store (local.get $ct) (f32x4.add (v128.load (local.get $ct)) (local.get $c30)))
              (v128.store offset=16 (local.get $ct) (f32x4.add (v128.load offset=16 (local.get $ct)) (local.get $c31)))
              (local.set $n (i32.add (local.get $n) (i32.const 8)))
              (br $nTiles)))
          ;; N tail of 4 columns
          (if (i32.lt_u (local.get $n) (local.get $N))
            (then
              (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c10 (v128.const i32x4 0 0 0 0))
              (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c30 (v128.const i32x4 0 0 0 0))
              (local.set $pa (i32.add (local.get $a) (i32.add (i32.mul (local.get $p0) (local.get $aRow)) (i32.shl (local.get $k) (i32.const 2)))))
              (local.set $pb (i32.add (local.get $b) (i32.add (i32.mul (local.get $p0) (local.get $bRow)) (i32.shl (local.get $n) (i32.const 2)))))
              (local.set $end (i32.add (local.get $a) (i32.add (i32.mul (local.get $p1) (local.get $aRow)) (i32.shl (local.get $k) (i32.const 2)))))
              (loop $tailRows
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (v128.load32_splat (local.get $pa)) (local.get $b0))))
                (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (v128.load32_splat offset=4 (local.get $pa)) (local.get $b0))))
                (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (v128.load32_splat offset=8 (local.get $pa)) (local.get $b0))))
                (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (v128.load32_splat offset=12 (local.get $pa)) (local.get $b0))))
                (local.set $pa (i32.add (local.get $pa) (local.get $aRow)))
                (local.set $pb (i32.add (local.get $pb) (local.get $bRow)))
                (br_if $tailRows (i32.lt_u (local.get $pa) (local.get $end))))
              (local.set $ct (i32.add (local.get $c) (i32.add (i32.mul (local.get $k) (local.get $bRow)) (i32.shl (local.get $n) (i32.const 2)))))
              (v128.store (local.get $ct) (f32x4.add (v128.load (local.get $ct)) (local.get $c00)))
              (local.set $ct (i32.add (local.get $ct) (local.get $bRow)))
              (v128.store (local.get $ct) (f32x4.add (v128.load (local.get $ct)) (local.get $c10)))
              (local.set $ct (i32.add (local.get $ct) (local.get $bRow)))
              (v128.store (local.get $ct) (f32x4.add (v128.load (local.get $ct)) (local.get $c20)))
              (local.set $ct (i32.add (local.get $ct) (local.get $bRow)))
              (v128.store (local.get $ct) (f32x4.add (v128.load (local.get $ct)) (local.get $c30)))))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br_if $kTiles (i32.lt_u (local.get $k) (local.get $K))))
        (local.set $p0 (local.get $p1))
        (br $blocks))))
)
