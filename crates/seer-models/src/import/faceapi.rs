//! The face-api (`@vladmandic/face-api`) face-recognition network as ONNX.
//!
//! face-api ships this network as a bare TensorFlow.js weights manifest
//! (`face_recognition_model-weights_manifest.json` + `.bin`) without a
//! topology: the architecture lives in the package's TypeScript sources
//! (`src/faceRecognitionNet/`). It is a dlib-style ResNet-34 variant:
//!
//! 1. `x = (rgb − MEAN_RGB) / 255` on a 150×150 NHWC image of 0..255 values;
//! 2. a 7×7 stride-2 'valid' conv layer (`conv32_down`), then 3×3 stride-2
//!    'valid' max pooling;
//! 3. residual blocks; a plain block is `relu(conv2(conv1(x)) + x)`, a
//!    "down" block halves the size: its first conv has stride 2 ('valid'),
//!    the shortcut is 2×2 average pooling, zero-padded to the new channel
//!    count, and the conv branch is zero-padded at the bottom/right when the
//!    pooled shortcut is one pixel larger;
//! 4. global average pooling and a fully connected 256→128 layer.
//!
//! Each "conv layer" is conv + bias, then a per-channel scale layer
//! (`·weights + biases`), then (optionally) relu. The importer folds the
//! scale layer into the convolution weights and bias.
//!
//! The output is the raw 128-d descriptor exactly as face-api's
//! `computeFaceDescriptor` returns it: it is **not** L2-normalised (face-api
//! compares descriptors by plain Euclidean distance, same person < 0.6).

use super::tfjs_weights::{load_weights, ManifestGroup, Weight};
use super::ImportError;
use seer_onnx::{Attr, DataType, Dim, GraphBuilder, ModelProto};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Version of this importer's output; bump when the produced ONNX changes.
pub const IMPORTER_VERSION: u32 = 2;

/// Width and height of the network input, in pixels.
pub const INPUT_SIZE: usize = 150;

/// Per-channel RGB mean (0..255 units) the network subtracts from its input.
pub const MEAN_RGB: [f32; 3] = [122.782, 117.001, 104.298];

/// The mean-subtracted input is divided by this (face-api 1.7.15 divides by 255).
pub const INPUT_DIVISOR: f32 = 255.0;

/// Length of the face descriptor.
pub const EMBEDDING_SIZE: usize = 128;

/// The residual blocks after the stem, in order: (weight prefix, halves size).
const RESIDUAL_BLOCKS: [(&str, bool); 14] = [
    ("conv32_1", false),
    ("conv32_2", false),
    ("conv32_3", false),
    ("conv64_down", true),
    ("conv64_1", false),
    ("conv64_2", false),
    ("conv64_3", false),
    ("conv128_down", true),
    ("conv128_1", false),
    ("conv128_2", false),
    ("conv256_down", true),
    ("conv256_1", false),
    ("conv256_2", false),
    ("conv256_down_out", true),
];

/// Builds the face-recognition network from its TensorFlow.js weights
/// manifest (the `.bin` shard is read from the same folder).
///
/// The ONNX model has one input `"input"`: NHWC float `[1, 150, 150, 3]`, RGB
/// values 0..255 (the face crop, as face-api feeds it; mean subtraction and
/// scaling happen inside the graph) and one output `"embedding"`: `[1, 128]`,
/// the raw (not normalised) face descriptor.
pub fn import_face_recognition(weights_manifest_json: &Path) -> Result<ModelProto, ImportError> {
    let manifest = read_manifest(weights_manifest_json)?;
    let weights = load_weights(weights_manifest_json, &manifest)?;
    let mut net = NetBuilder::new(weights_manifest_json, &weights);
    net.build()?;
    net.warn_unused();
    Ok(net.graph.finish())
}

fn read_manifest(path: &Path) -> Result<Vec<ManifestGroup>, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ImportError::io(path, e))?;
    serde_json::from_str(&text).map_err(|source| ImportError::NotJson {
        path: path.to_path_buf(),
        format: "TensorFlow.js weights manifest",
        source,
    })
}

/// A value of the graph being built with its static NCHW shape (batch 1).
#[derive(Clone, Debug)]
struct Feature {
    name: String,
    channels: usize,
    height: usize,
    width: usize,
}

/// How a convolution pads its input (TensorFlow semantics).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Padding {
    /// No padding; the output is `floor((in − k) / stride) + 1`.
    Valid,
    /// Output `ceil(in / stride)`; the extra pixel, if any, goes at the end.
    Same,
}

/// A conv layer's weights in ONNX layout with the scale layer folded in.
struct FoldedConv {
    /// `[out, in, k, k]`.
    kernel: Vec<f32>,
    bias: Vec<f32>,
    kernel_size: usize,
    in_channels: usize,
    out_channels: usize,
}

struct NetBuilder<'a> {
    model: &'a Path,
    weights: &'a BTreeMap<String, Weight>,
    used: BTreeSet<String>,
    graph: GraphBuilder,
}

impl<'a> NetBuilder<'a> {
    fn new(model: &'a Path, weights: &'a BTreeMap<String, Weight>) -> Self {
        NetBuilder {
            model,
            weights,
            used: BTreeSet::new(),
            graph: GraphBuilder::new("face_recognition_net"),
        }
    }

    fn build(&mut self) -> Result<(), ImportError> {
        self.graph
            .metadata("seer.source", "face-api face_recognition_model");
        self.graph.metadata(
            "seer.input",
            "NHWC [1,150,150,3] RGB 0..255 face crop; mean subtraction and /255 are in the graph",
        );
        self.graph.metadata(
            "seer.output",
            "embedding [1,128]: raw face descriptor (not L2-normalised); same person if Euclidean distance < 0.6",
        );
        let mut x = self.preprocess();
        x = self.conv_layer(&x, "conv32_down", 2, Padding::Valid, true)?;
        x = self.max_pool(&x, 3, 2)?;
        for (prefix, down) in RESIDUAL_BLOCKS {
            x = if down {
                self.residual_down(&x, prefix)?
            } else {
                self.residual(&x, prefix)?
            };
        }
        let embedding = self.head(&x)?;
        self.graph.output(
            &embedding,
            "embedding",
            DataType::Float,
            Some(&[Dim::named("batch"), Dim::Fixed(EMBEDDING_SIZE as i64)]),
        );
        Ok(())
    }

    /// NHWC 0..255 input → NCHW `(x − mean) / 255`.
    fn preprocess(&mut self) -> Feature {
        let size = INPUT_SIZE as i64;
        let input = self.graph.input(
            "input",
            DataType::Float,
            &[
                Dim::named("batch"),
                Dim::Fixed(size),
                Dim::Fixed(size),
                Dim::Fixed(3),
            ],
        );
        let mean = self.graph.const_f32("mean_rgb", &[3], &MEAN_RGB);
        let divisor = self
            .graph
            .const_f32("input_divisor", &[1], &[INPUT_DIVISOR]);
        let centred = self.graph.node("Sub", &[&input, &mean], &[], "centred");
        let scaled = self
            .graph
            .node("Div", &[&centred, &divisor], &[], "normalized");
        let nchw = self.graph.node(
            "Transpose",
            &[&scaled],
            &[("perm", Attr::Ints(vec![0, 3, 1, 2]))],
            "normalized_nchw",
        );
        Feature {
            name: nchw,
            channels: 3,
            height: INPUT_SIZE,
            width: INPUT_SIZE,
        }
    }

    /// `relu(conv2(conv1(x)) + x)`, both convs 3×3 stride 1 'same'.
    fn residual(&mut self, x: &Feature, prefix: &str) -> Result<Feature, ImportError> {
        let a = self.conv_layer(x, &format!("{prefix}/conv1"), 1, Padding::Same, true)?;
        let b = self.conv_layer(&a, &format!("{prefix}/conv2"), 1, Padding::Same, false)?;
        if (b.channels, b.height, b.width) != (x.channels, x.height, x.width) {
            return Err(self.shape_error(prefix, x, &b));
        }
        let sum = self.graph.node("Add", &[&b.name, &x.name], &[], prefix);
        let out = self.graph.node("Relu", &[&sum], &[], prefix);
        Ok(Feature { name: out, ..b })
    }

    /// A block that halves the spatial size: conv branch with a stride-2
    /// 'valid' first conv; shortcut = 2×2 average pool with zero channels
    /// appended; the conv branch gets zero rows/columns at the bottom/right
    /// when the pooled shortcut is larger.
    fn residual_down(&mut self, x: &Feature, prefix: &str) -> Result<Feature, ImportError> {
        let a = self.conv_layer(x, &format!("{prefix}/conv1"), 2, Padding::Valid, true)?;
        let mut b = self.conv_layer(&a, &format!("{prefix}/conv2"), 1, Padding::Same, false)?;
        let mut pooled = self.avg_pool(x, 2, 2)?;
        if b.height > pooled.height || b.width > pooled.width || b.channels < pooled.channels {
            return Err(self.shape_error(prefix, &pooled, &b));
        }
        let extra_rows = pooled.height - b.height;
        let extra_cols = pooled.width - b.width;
        if extra_rows > 0 || extra_cols > 0 {
            b = self.zero_pad_end(&b, 0, extra_rows, extra_cols, &format!("{prefix}/pad_hw"));
        }
        let extra_channels = b.channels - pooled.channels;
        if extra_channels > 0 {
            pooled = self.zero_pad_end(&pooled, extra_channels, 0, 0, &format!("{prefix}/pad_c"));
        }
        let sum = self
            .graph
            .node("Add", &[&b.name, &pooled.name], &[], prefix);
        let out = self.graph.node("Relu", &[&sum], &[], prefix);
        Ok(Feature { name: out, ..b })
    }

    /// Global average pool then the fully connected layer `fc` `[256, 128]`.
    fn head(&mut self, x: &Feature) -> Result<String, ImportError> {
        let fc = self.weight("fc", 2)?;
        if fc.shape[0] != x.channels || fc.shape[1] != EMBEDDING_SIZE {
            return Err(ImportError::malformed(
                self.model,
                format!(
                    "weight 'fc' has shape {:?}, expected [{}, {EMBEDDING_SIZE}]",
                    fc.shape, x.channels
                ),
            ));
        }
        let fc_values = fc.as_f32();
        let fc_name = self.graph.const_f32(
            "fc",
            &[x.channels as i64, EMBEDDING_SIZE as i64],
            &fc_values,
        );
        let pooled = self
            .graph
            .node("GlobalAveragePool", &[&x.name], &[], "global_avg");
        let flat = self.graph.node(
            "Flatten",
            &[&pooled],
            &[("axis", Attr::Int(1))],
            "global_avg_flat",
        );
        Ok(self.graph.node("MatMul", &[&flat, &fc_name], &[], "fc"))
    }

    /// conv + bias, scale layer (folded in), optional relu.
    fn conv_layer(
        &mut self,
        x: &Feature,
        prefix: &str,
        stride: usize,
        padding: Padding,
        relu: bool,
    ) -> Result<Feature, ImportError> {
        let conv = self.folded_conv(prefix, x.channels)?;
        let k = conv.kernel_size;
        if padding == Padding::Valid && (x.height < k || x.width < k) {
            return Err(ImportError::malformed(
                self.model,
                format!(
                    "layer '{prefix}': {k}×{k} kernel does not fit its {}×{} input",
                    x.height, x.width
                ),
            ));
        }
        let (pad_top, pad_bottom, height) = conv_padding(x.height, k, stride, padding);
        let (pad_left, pad_right, width) = conv_padding(x.width, k, stride, padding);
        let k64 = k as i64;
        let kernel = self.graph.const_f32(
            &format!("{prefix}/kernel"),
            &[conv.out_channels as i64, conv.in_channels as i64, k64, k64],
            &conv.kernel,
        );
        let bias = self.graph.const_f32(
            &format!("{prefix}/bias"),
            &[conv.out_channels as i64],
            &conv.bias,
        );
        let attrs = [
            ("kernel_shape", Attr::Ints(vec![k64, k64])),
            ("strides", Attr::Ints(vec![stride as i64, stride as i64])),
            (
                "pads",
                Attr::Ints(vec![
                    pad_top as i64,
                    pad_left as i64,
                    pad_bottom as i64,
                    pad_right as i64,
                ]),
            ),
        ];
        let mut out = self
            .graph
            .node("Conv", &[&x.name, &kernel, &bias], &attrs, prefix);
        if relu {
            out = self.graph.node("Relu", &[&out], &[], prefix);
        }
        Ok(Feature {
            name: out,
            channels: conv.out_channels,
            height,
            width,
        })
    }

    /// Reads `<prefix>/conv/{filters,bias}` and `<prefix>/scale/{weights,biases}`
    /// and folds the scale into the conv: `w'=w·s`, `b'=b·s+t`.
    fn folded_conv(&mut self, prefix: &str, in_channels: usize) -> Result<FoldedConv, ImportError> {
        let filters = self.weight(&format!("{prefix}/conv/filters"), 4)?;
        let (kh, kw, cin, cout) = (
            filters.shape[0],
            filters.shape[1],
            filters.shape[2],
            filters.shape[3],
        );
        if kh != kw || cin != in_channels {
            return Err(ImportError::malformed(
                self.model,
                format!(
                    "weight '{prefix}/conv/filters' has shape {:?}, expected [k, k, {in_channels}, out]",
                    filters.shape
                ),
            ));
        }
        let hwio = filters.as_f32();
        let bias = self.vector(&format!("{prefix}/conv/bias"), cout)?;
        let scale = self.vector(&format!("{prefix}/scale/weights"), cout)?;
        let shift = self.vector(&format!("{prefix}/scale/biases"), cout)?;
        let mut kernel = vec![0.0f32; hwio.len()];
        for y in 0..kh {
            for x in 0..kw {
                for i in 0..cin {
                    for (o, s) in scale.iter().enumerate() {
                        let src = ((y * kw + x) * cin + i) * cout + o;
                        let dst = ((o * cin + i) * kh + y) * kw + x;
                        kernel[dst] = hwio[src] * s;
                    }
                }
            }
        }
        let bias = bias
            .iter()
            .zip(&scale)
            .zip(&shift)
            .map(|((b, s), t)| b * s + t)
            .collect();
        Ok(FoldedConv {
            kernel,
            bias,
            kernel_size: kh,
            in_channels: cin,
            out_channels: cout,
        })
    }

    fn max_pool(
        &mut self,
        x: &Feature,
        size: usize,
        stride: usize,
    ) -> Result<Feature, ImportError> {
        self.pool("MaxPool", x, size, stride, "max_pool")
    }

    fn avg_pool(
        &mut self,
        x: &Feature,
        size: usize,
        stride: usize,
    ) -> Result<Feature, ImportError> {
        self.pool("AveragePool", x, size, stride, "avg_pool")
    }

    /// A 'valid' (unpadded) pooling window.
    fn pool(
        &mut self,
        op: &str,
        x: &Feature,
        size: usize,
        stride: usize,
        hint: &str,
    ) -> Result<Feature, ImportError> {
        if x.height < size || x.width < size {
            return Err(ImportError::malformed(
                self.model,
                format!(
                    "{op} {size}×{size} ('{hint}') does not fit its {}×{} input; the conv weights have unexpected kernel sizes",
                    x.height, x.width
                ),
            ));
        }
        let attrs = [
            ("kernel_shape", Attr::Ints(vec![size as i64, size as i64])),
            ("strides", Attr::Ints(vec![stride as i64, stride as i64])),
        ];
        let name = self.graph.node(op, &[&x.name], &attrs, hint);
        Ok(Feature {
            name,
            channels: x.channels,
            height: (x.height - size) / stride + 1,
            width: (x.width - size) / stride + 1,
        })
    }

    /// Appends zeros after the last channel / row / column.
    fn zero_pad_end(
        &mut self,
        x: &Feature,
        channels: usize,
        rows: usize,
        cols: usize,
        hint: &str,
    ) -> Feature {
        let pads = [0, 0, 0, 0, 0, channels as i64, rows as i64, cols as i64];
        let pads = self.graph.const_i64(&format!("{hint}/pads"), &[8], &pads);
        let name = self.graph.node(
            "Pad",
            &[&x.name, &pads],
            &[("mode", Attr::Str("constant".into()))],
            hint,
        );
        Feature {
            name,
            channels: x.channels + channels,
            height: x.height + rows,
            width: x.width + cols,
        }
    }

    /// A 1-D weight of exactly `len` values.
    fn vector(&mut self, name: &str, len: usize) -> Result<Vec<f32>, ImportError> {
        let w = self.weight(name, 1)?;
        if w.shape[0] != len {
            return Err(ImportError::malformed(
                self.model,
                format!("weight '{name}' has shape {:?}, expected [{len}]", w.shape),
            ));
        }
        Ok(w.as_f32())
    }

    /// The weight `name` with `rank` dimensions, or an error naming it.
    fn weight(&mut self, name: &str, rank: usize) -> Result<&'a Weight, ImportError> {
        let weights: &'a BTreeMap<String, Weight> = self.weights;
        let w = weights.get(name).ok_or_else(|| {
            ImportError::malformed(
                self.model,
                format!("weight '{name}' is missing from the face-recognition weights manifest"),
            )
        })?;
        if w.shape.len() != rank {
            return Err(ImportError::malformed(
                self.model,
                format!(
                    "weight '{name}' has shape {:?}, expected {rank} dimensions",
                    w.shape
                ),
            ));
        }
        self.used.insert(name.to_string());
        Ok(w)
    }

    fn shape_error(&self, block: &str, expected: &Feature, got: &Feature) -> ImportError {
        ImportError::malformed(
            self.model,
            format!(
                "block '{block}': branch shapes do not match ({}×{}×{} vs {}×{}×{} channels×height×width)",
                expected.channels, expected.height, expected.width, got.channels, got.height, got.width
            ),
        )
    }

    fn warn_unused(&self) {
        for name in self.weights.keys().filter(|n| !self.used.contains(*n)) {
            tracing::warn!(model = %self.model.display(), weight = %name, "face-recognition weight not used by the network");
        }
    }
}

/// TensorFlow padding for one spatial axis: (before, after, output size).
fn conv_padding(
    size: usize,
    kernel: usize,
    stride: usize,
    padding: Padding,
) -> (usize, usize, usize) {
    match padding {
        Padding::Valid => (0, 0, (size - kernel) / stride + 1),
        Padding::Same => {
            let out = size.div_ceil(stride);
            let total = ((out - 1) * stride + kernel).saturating_sub(size);
            (total / 2, total - total / 2, out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tf_padding_matches_tensorflow_rules() {
        assert_eq!(conv_padding(150, 7, 2, Padding::Valid), (0, 0, 72));
        assert_eq!(conv_padding(35, 3, 1, Padding::Same), (1, 1, 35));
        assert_eq!(conv_padding(8, 3, 2, Padding::Same), (0, 1, 4));
        assert_eq!(conv_padding(8, 3, 2, Padding::Valid), (0, 0, 3));
    }

    #[test]
    fn missing_weight_is_reported_with_its_name_and_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir
            .path()
            .join("face_recognition_model-weights_manifest.json");
        std::fs::write(
            &manifest,
            r#"[{"paths":["w.bin"],"weights":[{"name":"fc","shape":[256,128],"dtype":"float32"}]}]"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("w.bin"), vec![0u8; 256 * 128 * 4]).unwrap();
        let err = import_face_recognition(&manifest).unwrap_err().to_string();
        assert!(err.contains("conv32_down/conv/filters"), "{err}");
        assert!(
            err.contains("face_recognition_model-weights_manifest.json"),
            "{err}"
        );
    }
}
