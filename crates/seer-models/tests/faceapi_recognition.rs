//! The face-api face-recognition network imported to ONNX computes what
//! face-api computes: checked against an independent, naive NHWC
//! implementation of the network written from the package's TypeScript, and
//! on real labelled face photos (same person < 0.6, different > 0.6).

use seer_models::import::faceapi::{import_face_recognition, EMBEDDING_SIZE, INPUT_SIZE};
use seer_models::import::tfjs_weights::{load_weights, ManifestGroup, Weight};
use seer_onnx::encode;
use seer_runtime::{Session, SessionOptions, Tensor};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn manifest_path() -> PathBuf {
    seer_models::testing::package_dir("@vladmandic/face-api@1.7.15")
        .join("model/face_recognition_model-weights_manifest.json")
}

fn session() -> Session {
    seer_models::testing::init_runtime();
    let model = import_face_recognition(&manifest_path()).expect("import face recognition net");
    Session::from_bytes(
        "face_recognition",
        &encode(&model),
        &SessionOptions { threads: 2 },
    )
    .expect("ONNX Runtime accepts the model")
}

fn embed(session: &mut Session, nhwc_0_255: &[f32]) -> Vec<f32> {
    let input = Tensor::new(vec![1, INPUT_SIZE, INPUT_SIZE, 3], nhwc_0_255.to_vec()).unwrap();
    let out = session.run(&[input]).unwrap();
    assert_eq!(out[0].shape, vec![1, EMBEDDING_SIZE]);
    out[0].data.clone()
}

// ---------------------------------------------------------------------------
// Reference implementation: NHWC, naive loops, weights exactly as stored,
// following src/faceRecognitionNet/*.ts step by step (no folding).
// ---------------------------------------------------------------------------

/// An NHWC feature map with batch 1.
#[derive(Clone)]
struct Map {
    h: usize,
    w: usize,
    c: usize,
    data: Vec<f32>,
}

impl Map {
    fn zeros(h: usize, w: usize, c: usize) -> Map {
        Map {
            h,
            w,
            c,
            data: vec![0.0; h * w * c],
        }
    }
    fn at(&self, y: usize, x: usize, ch: usize) -> f32 {
        self.data[(y * self.w + x) * self.c + ch]
    }
    fn set(&mut self, y: usize, x: usize, ch: usize, v: f32) {
        let w = self.w;
        let c = self.c;
        self.data[(y * w + x) * c + ch] = v;
    }
}

struct Reference {
    weights: BTreeMap<String, Weight>,
}

impl Reference {
    fn load() -> Reference {
        let path = manifest_path();
        let text = std::fs::read_to_string(&path).unwrap();
        let groups: Vec<ManifestGroup> = serde_json::from_str(&text).unwrap();
        Reference {
            weights: load_weights(&path, &groups).unwrap(),
        }
    }

    fn w(&self, name: &str) -> (Vec<usize>, Vec<f32>) {
        let w = &self.weights[name];
        (w.shape.clone(), w.as_f32())
    }

    /// tf.conv2d with HWIO filters; `same` = TensorFlow 'same' padding.
    fn conv2d(&self, x: &Map, name: &str, stride: usize, same: bool) -> Map {
        let (shape, f) = self.w(name);
        let (k, cin, cout) = (shape[0], shape[2], shape[3]);
        assert_eq!(cin, x.c);
        let (oh, pad_top) = tf_out_and_pad(x.h, k, stride, same);
        let (ow, pad_left) = tf_out_and_pad(x.w, k, stride, same);
        let mut out = Map::zeros(oh, ow, cout);
        for oy in 0..oh {
            for ox in 0..ow {
                let mut acc = vec![0.0f64; cout];
                for ky in 0..k {
                    let iy = (oy * stride + ky) as isize - pad_top as isize;
                    if iy < 0 || iy >= x.h as isize {
                        continue;
                    }
                    for kx in 0..k {
                        let ix = (ox * stride + kx) as isize - pad_left as isize;
                        if ix < 0 || ix >= x.w as isize {
                            continue;
                        }
                        for ci in 0..cin {
                            let v = x.at(iy as usize, ix as usize, ci) as f64;
                            let base = ((ky * k + kx) * cin + ci) * cout;
                            for (co, a) in acc.iter_mut().enumerate() {
                                *a += v * f[base + co] as f64;
                            }
                        }
                    }
                }
                for (co, a) in acc.iter().enumerate() {
                    out.set(oy, ox, co, *a as f32);
                }
            }
        }
        out
    }

    /// convLayer.ts: conv, + bias, scale layer (· weights + biases), relu.
    fn conv_layer(&self, x: &Map, prefix: &str, stride: usize, same: bool, relu: bool) -> Map {
        let mut out = self.conv2d(x, &format!("{prefix}/conv/filters"), stride, same);
        let (_, bias) = self.w(&format!("{prefix}/conv/bias"));
        let (_, sw) = self.w(&format!("{prefix}/scale/weights"));
        let (_, sb) = self.w(&format!("{prefix}/scale/biases"));
        for (i, v) in out.data.iter_mut().enumerate() {
            let c = i % bias.len();
            let mut y = (*v + bias[c]) * sw[c] + sb[c];
            if relu {
                y = y.max(0.0);
            }
            *v = y;
        }
        out
    }

    /// residualLayer.ts `residual`.
    fn residual(&self, x: &Map, prefix: &str) -> Map {
        let a = self.conv_layer(x, &format!("{prefix}/conv1"), 1, true, true);
        let mut b = self.conv_layer(&a, &format!("{prefix}/conv2"), 1, true, false);
        for (v, s) in b.data.iter_mut().zip(&x.data) {
            *v = (*v + s).max(0.0);
        }
        b
    }

    /// residualLayer.ts `residualDown`.
    fn residual_down(&self, x: &Map, prefix: &str) -> Map {
        let a = self.conv_layer(x, &format!("{prefix}/conv1"), 2, false, true);
        let b = self.conv_layer(&a, &format!("{prefix}/conv2"), 1, true, false);
        let pooled = pool(x, 2, 2, false);
        // The conv branch is padded (zeros at bottom/right) to the pooled size;
        // the pooled shortcut is followed by zero channels.
        let mut out = Map::zeros(pooled.h, pooled.w, b.c);
        for y in 0..out.h {
            for xx in 0..out.w {
                for c in 0..out.c {
                    let conv = if y < b.h && xx < b.w {
                        b.at(y, xx, c)
                    } else {
                        0.0
                    };
                    let short = if c < pooled.c {
                        pooled.at(y, xx, c)
                    } else {
                        0.0
                    };
                    out.set(y, xx, c, (conv + short).max(0.0));
                }
            }
        }
        out
    }

    /// FaceRecognitionNet.ts `forwardInput` for one 150×150 RGB 0..255 image.
    fn forward(&self, rgb: &[f32]) -> Vec<f32> {
        let mean = [122.782f32, 117.001, 104.298];
        let mut x = Map::zeros(150, 150, 3);
        for (i, v) in x.data.iter_mut().enumerate() {
            *v = (rgb[i] - mean[i % 3]) / 255.0;
        }
        x = self.conv_layer(&x, "conv32_down", 2, false, true);
        x = pool(&x, 3, 2, true);
        for p in ["conv32_1", "conv32_2", "conv32_3"] {
            x = self.residual(&x, p);
        }
        x = self.residual_down(&x, "conv64_down");
        for p in ["conv64_1", "conv64_2", "conv64_3"] {
            x = self.residual(&x, p);
        }
        x = self.residual_down(&x, "conv128_down");
        for p in ["conv128_1", "conv128_2"] {
            x = self.residual(&x, p);
        }
        x = self.residual_down(&x, "conv256_down");
        for p in ["conv256_1", "conv256_2"] {
            x = self.residual(&x, p);
        }
        x = self.residual_down(&x, "conv256_down_out");
        // mean over H, W then matMul with fc [256, 128]
        let mut avg = vec![0.0f64; x.c];
        for y in 0..x.h {
            for xx in 0..x.w {
                for (c, a) in avg.iter_mut().enumerate() {
                    *a += x.at(y, xx, c) as f64;
                }
            }
        }
        let n = (x.h * x.w) as f64;
        let (shape, fc) = self.w("fc");
        (0..shape[1])
            .map(|j| {
                let s: f64 = (0..shape[0])
                    .map(|i| avg[i] / n * fc[i * shape[1] + j] as f64)
                    .sum();
                s as f32
            })
            .collect()
    }
}

/// TensorFlow output size and leading padding for one axis.
fn tf_out_and_pad(size: usize, k: usize, stride: usize, same: bool) -> (usize, usize) {
    if same {
        let out = size.div_ceil(stride);
        let total = ((out - 1) * stride + k).saturating_sub(size);
        (out, total / 2)
    } else {
        ((size - k) / stride + 1, 0)
    }
}

/// 'valid' max or average pooling.
fn pool(x: &Map, k: usize, stride: usize, max: bool) -> Map {
    let oh = (x.h - k) / stride + 1;
    let ow = (x.w - k) / stride + 1;
    let mut out = Map::zeros(oh, ow, x.c);
    for oy in 0..oh {
        for ox in 0..ow {
            for c in 0..x.c {
                let mut m = f32::NEG_INFINITY;
                let mut s = 0.0f32;
                for ky in 0..k {
                    for kx in 0..k {
                        let v = x.at(oy * stride + ky, ox * stride + kx, c);
                        m = m.max(v);
                        s += v;
                    }
                }
                out.set(oy, ox, c, if max { m } else { s / (k * k) as f32 });
            }
        }
    }
    out
}

/// Deterministic pseudo-random RGB 0..255 image (xorshift).
fn test_image() -> Vec<f32> {
    let mut state: u32 = 0x1234_5678;
    (0..INPUT_SIZE * INPUT_SIZE * 3)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state % 256) as f32
        })
        .collect()
}

fn max_relative_error(got: &[f32], want: &[f32]) -> f32 {
    let diff = got
        .iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    let scale = want.iter().map(|b| b.abs()).fold(0.0, f32::max);
    diff / scale
}

#[test]
fn onnx_matches_naive_reference_implementation() {
    let mut session = session();
    let reference = Reference::load();
    let image = test_image();
    let got = embed(&mut session, &image);
    let want = reference.forward(&image);
    let err = max_relative_error(&got, &want);
    let norm: f32 = want.iter().map(|v| v * v).sum::<f32>().sqrt();
    eprintln!(
        "max relative error ONNX vs reference: {err:.3e} (reference |embedding| = {norm:.4})"
    );
    assert!(
        norm > 0.1,
        "reference embedding is degenerate: |e| = {norm}"
    );
    assert!(err <= 1e-4, "max relative error {err:e} > 1e-4");
}

// ---------------------------------------------------------------------------
// Real photos.
// ---------------------------------------------------------------------------

/// A face crop: file under `gallery/`, subject, box (x, y, width, height) in
/// pixels of the original image.
struct FaceCrop {
    file: &'static str,
    subject: &'static str,
    bbox: (u32, u32, u32, u32),
}

/// Face boxes found once by looking at the photos (grid overlays at 25/50 px).
/// Each box mimics face-api's aligned box `landmarks.align()`: the bounding
/// box of the 68 landmarks (eyebrow tops to chin, jaw side to jaw side),
/// widened by 20 % of its width and height (10 % on each side).
const CROPS: [FaceCrop; 8] = [
    FaceCrop {
        file: "obama/1.jpg",
        subject: "obama",
        bbox: (353, 156, 281, 319),
    },
    FaceCrop {
        file: "obama/2.jpg",
        subject: "obama",
        bbox: (174, 308, 331, 337),
    },
    FaceCrop {
        file: "biden/1.jpg",
        subject: "biden",
        bbox: (387, 261, 349, 317),
    },
    FaceCrop {
        file: "biden/2.jpg",
        subject: "biden",
        bbox: (363, 319, 564, 464),
    },
    FaceCrop {
        file: "kit_harington/1.jpg",
        subject: "kit_harington",
        bbox: (672, 114, 154, 140),
    },
    FaceCrop {
        file: "kit_harington/2.jpg",
        subject: "kit_harington",
        bbox: (301, 112, 191, 191),
    },
    FaceCrop {
        file: "rose_leslie/1.jpg",
        subject: "rose_leslie",
        bbox: (615, 138, 285, 286),
    },
    FaceCrop {
        file: "rose_leslie/2.jpg",
        subject: "rose_leslie",
        bbox: (180, 191, 241, 286),
    },
];

fn faces_dir() -> PathBuf {
    seer_testdata::faces()
}

/// Crops `bbox`, scales it to fit 150×150 keeping its aspect and centres it
/// on black (face-api's `imageToSquare(…, 150, true)`); area-averaged
/// resampling. Returns NHWC RGB 0..255.
fn face_input(crop: &FaceCrop) -> Vec<f32> {
    let path = faces_dir().join("gallery").join(crop.file);
    let img = seer_imgproc::load_rgb(&path).unwrap_or_else(|e| panic!("{e}"));
    let (bx, by, bw, bh) = crop.bbox;
    assert!(
        bx + bw <= img.width() && by + bh <= img.height(),
        "{} box outside image",
        crop.file
    );
    let size = INPUT_SIZE as f64;
    let scale = size / bw.max(bh) as f64;
    let (dw, dh) = (bw as f64 * scale, bh as f64 * scale);
    let (dx, dy) = ((size - dw) / 2.0, (size - dh) / 2.0);
    let mut out = vec![0.0f32; INPUT_SIZE * INPUT_SIZE * 3];
    for oy in 0..INPUT_SIZE {
        for ox in 0..INPUT_SIZE {
            // Output pixel footprint in source coordinates (inside the box).
            let sx0 = ((ox as f64 - dx) / scale).max(0.0);
            let sx1 = ((ox as f64 + 1.0 - dx) / scale).min(bw as f64);
            let sy0 = ((oy as f64 - dy) / scale).max(0.0);
            let sy1 = ((oy as f64 + 1.0 - dy) / scale).min(bh as f64);
            if sx1 <= sx0 || sy1 <= sy0 {
                continue;
            }
            // Source area outside the box counts as black (the padding), so
            // the sum is divided by the full footprint area 1/scale².
            let mut sum = [0.0f64; 3];
            for sy in sy0.floor() as u32..(sy1.ceil() as u32).min(bh) {
                let wy = sy1.min(sy as f64 + 1.0) - sy0.max(sy as f64);
                for sx in sx0.floor() as u32..(sx1.ceil() as u32).min(bw) {
                    let wx = sx1.min(sx as f64 + 1.0) - sx0.max(sx as f64);
                    let p = img.get_pixel(bx + sx, by + sy).0;
                    for c in 0..3 {
                        sum[c] += wx.max(0.0) * wy.max(0.0) * p[c] as f64;
                    }
                }
            }
            for c in 0..3 {
                out[(oy * INPUT_SIZE + ox) * 3 + c] = (sum[c] * scale * scale) as f32;
            }
        }
    }
    out
}

fn distance(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}

#[test]
fn same_person_is_closer_than_0_6_and_different_people_farther() {
    let mut session = session();
    let embeddings: Vec<Vec<f32>> = CROPS
        .iter()
        .map(|c| embed(&mut session, &face_input(c)))
        .collect();
    let mut table = String::from("distance matrix:\n                        ");
    for c in &CROPS {
        table += &format!("{:>8}", short_name(c));
    }
    let mut failures = Vec::new();
    for (i, a) in CROPS.iter().enumerate() {
        table += &format!("\n{:<24}", a.file);
        for (j, b) in CROPS.iter().enumerate() {
            let d = distance(&embeddings[i], &embeddings[j]);
            table += &format!("{d:>8.3}");
            let same = a.subject == b.subject;
            if i != j && same != (d < 0.6) {
                failures.push(format!("{} vs {}: {d:.3}", a.file, b.file));
            }
        }
    }
    eprintln!("{table}");
    assert!(
        failures.is_empty(),
        "wrong side of 0.6: {failures:?}\n{table}"
    );
}

fn short_name(c: &FaceCrop) -> String {
    let (dir, file) = c.file.split_once('/').unwrap_or((c.file, ""));
    format!(
        "{}{}",
        &dir[..dir.len().min(5)],
        file.trim_end_matches(".jpg")
    )
}
