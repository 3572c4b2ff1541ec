//! Importer for ncnn models (a text `.param` graph plus a `.bin` weight
//! file) to ONNX, float32, NCHW.
//!
//! Every `Input` layer becomes an ONNX input named after its blob, shaped
//! `[1, C, height, width]`: C comes from the Input layer (`2=c`) or else from
//! the weight size of the first convolution reading the blob; height and
//! width are symbolic. Blobs that no layer consumes become outputs under
//! their blob names. ncnn 1-D blobs (InnerProduct and global pooling
//! outputs) are `[N, C]`; where ncnn broadcasts them per channel against an
//! image they are reshaped to `[N, C, 1, 1]`.
//!
//! Supported layers: Input, Split, Convolution, ConvolutionDepthWise,
//! Deconvolution, DeconvolutionDepthWise, InnerProduct (all with fused
//! activations 1 relu, 2 leaky relu, 3 clip, 4 sigmoid, 5 mish, 6 hard
//! swish), ReLU, PReLU, Sigmoid, TanH, Clip, Concat, Eltwise, BinaryOp,
//! Scale, Pooling, Interp, PixelShuffle, Crop and Padding. Anything else
//! fails with [`ImportError::UnsupportedOp`].
//!
//! # What the known models expect
//!
//! All take RGB in 0..1 and produce RGB in 0..1 (clamp before converting
//! to 8 bits).
//!
//! * Real-ESRGAN (`realesrgan-x4plus`, `realesr-animevideov3-x2/x3/x4`):
//!   input `data` `[1, 3, H, W]`, output `output` `[1, 3, sH, sW]`. The
//!   convolutions zero-pad, so any size works; ncnn front ends pad tiles by a
//!   few pixels (edge replication) to hide border effects.
//! * waifu2x `models-upconv_7_*` (`*scale2.0x_model`; input `Input1`,
//!   output `Eltwise4`): the six unpadded 3×3 convolutions and the 4×4
//!   stride-2 deconvolution give an output of `2·(H − 14)` × `2·(W − 14)`,
//!   so pad the input by 7 pixels on every side (edge replication) to get
//!   exactly `2H × 2W`.
//! * waifu2x `models-cunet` (`*scale2.0x_model`; input `Input1`, output
//!   `Eltwise4`): pad by 18 pixels on every side with `H + 36` and `W + 36`
//!   divisible by 4 (pad the bottom/right more when they are not); the
//!   output is `2·(H + 36) − 72` per side, i.e. 2× the unpadded input.
//! * SRMD (`srmd_x*`, `srmdnf_x*`; input `input`, output `output`): the
//!   input has 19 channels (`srmd`) or 18 (`srmdnf`, noise-free): RGB in
//!   0..1, then 15 channels each filled with one constant (the PCA
//!   projection of a bicubic blur kernel, as srmd-ncnn-vulkan uses; the
//!   values are the `extra_channels` fact of the models in `models.toml`),
//!   then for `srmd` only one channel filled with `noise_level / 255`
//!   (noise level 0..10). The output is RGB at s× the input size. ncnn front ends pad the input by 12 pixels (edge
//!   replication) and crop the output back.
//! * Real-CUGAN se (`models-se/up{2,3,4}x-*`; input `in0`, output
//!   `out0`): valid convolutions lose 18/14/19 input pixels per side at
//!   ×2/×3/×4, so pad by that much (reflect, as realcugan-ncnn-vulkan
//!   does), with the padded size a multiple of 2 (×2, ×4) or 4 (×3). Four
//!   squeeze-excitation blocks gate channels by a global average, so the
//!   output depends on the whole image (tiles differ from the whole). The
//!   ×4 graph outputs a residual: add the input enlarged ×4 by nearest
//!   neighbour (the front end's post-processing, not in the graph).

mod activation;
mod arith;
mod conv;
mod convert;
mod param;
mod spatial;
mod weights;

use crate::import::ImportError;
use convert::{Converter, Rank, SUPPORTED_LAYERS};
use param::Layer;
use seer_onnx::{DataType, Dim, GraphBuilder, ModelProto};
use std::collections::HashSet;
use std::path::Path;
use weights::WeightReader;

/// Version of this importer's output; part of the converted-model cache key.
pub const IMPORTER_VERSION: u32 = 1;

/// Converts the ncnn model `param` (text graph) + `bin` (weights) to ONNX.
/// Errors name the files, the layer and, for syntax errors, the line.
pub fn import(param: &Path, bin: &Path) -> Result<ModelProto, ImportError> {
    let text = std::fs::read_to_string(param).map_err(|e| ImportError::io(param, e))?;
    let data = std::fs::read(bin).map_err(|e| ImportError::io(bin, e))?;
    let layers = param::parse(&text, param)?;
    if let Some(layer) = layers
        .iter()
        .find(|l| !SUPPORTED_LAYERS.contains(&l.kind.as_str()))
    {
        return Err(convert::unsupported_layer(param, layer));
    }
    check_blob_names(&layers, param)?;

    let graph_name = param
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ncnn".to_string());
    let mut g = GraphBuilder::new(&graph_name);
    declare_inputs(&mut g, &layers, param)?;
    let mut cv = Converter::new(g, WeightReader::new(&data, param, bin), param);
    for layer in &layers {
        if layer.kind == "Input" {
            for out in &layer.outputs {
                cv.define_blob(out, out.clone(), Rank::Image);
            }
        }
        cv.convert(layer)?;
    }
    if cv.weights.remaining() > 0 {
        tracing::warn!(
            bin = %bin.display(),
            unused_bytes = cv.weights.remaining(),
            "ncnn weight file is longer than the layers need"
        );
    }
    declare_outputs(&mut cv, &layers);
    let mut g = cv.g;
    g.metadata("source_format", "ncnn");
    g.metadata("importer_version", &IMPORTER_VERSION.to_string());
    Ok(g.finish())
}

/// Every blob must be produced exactly once.
fn check_blob_names(layers: &[Layer], model: &Path) -> Result<(), ImportError> {
    let mut produced = HashSet::new();
    for layer in layers {
        for out in &layer.outputs {
            if !produced.insert(out.as_str()) {
                return Err(ImportError::malformed(
                    model,
                    format!(
                        "line {}: layer '{}' produces blob '{out}', which an earlier layer already produces",
                        layer.line, layer.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Declares one ONNX input per `Input` layer output.
fn declare_inputs(g: &mut GraphBuilder, layers: &[Layer], model: &Path) -> Result<(), ImportError> {
    let inputs: Vec<&Layer> = layers.iter().filter(|l| l.kind == "Input").collect();
    if inputs.is_empty() {
        return Err(ImportError::malformed(
            model,
            "the model has no Input layer",
        ));
    }
    let single = inputs.len() == 1;
    for layer in inputs {
        for blob in &layer.outputs {
            let declared = layer.params.int(2, 0).unwrap_or(0);
            let channels = if declared > 0 {
                Some(i64::from(declared))
            } else {
                channels_from_consumer(layers, blob)
            };
            let dim = |what: &str| {
                if single {
                    Dim::named(what)
                } else {
                    Dim::named(&format!("{blob}_{what}"))
                }
            };
            let c = channels.map(Dim::Fixed).unwrap_or_else(|| dim("channels"));
            g.input(
                blob,
                DataType::Float,
                &[Dim::Fixed(1), c, dim("height"), dim("width")],
            );
        }
    }
    Ok(())
}

/// Input channels of the first convolution reading `blob` (through Splits).
fn channels_from_consumer(layers: &[Layer], blob: &str) -> Option<i64> {
    let mut names: HashSet<&str> = HashSet::from([blob]);
    for layer in layers {
        if !layer.inputs.iter().any(|i| names.contains(i.as_str())) {
            continue;
        }
        match layer.kind.as_str() {
            "Split" => names.extend(layer.outputs.iter().map(String::as_str)),
            "Convolution" | "ConvolutionDepthWise" | "Deconvolution" | "DeconvolutionDepthWise" => {
                let p = &layer.params;
                let num_output = i64::from(p.int(0, 0).ok()?);
                let kernel_w = i64::from(p.int(1, 0).ok()?);
                let kernel_h = i64::from(p.int(11, kernel_w as i32).ok()?);
                let group = i64::from(p.int(7, 1).ok()?);
                let size = i64::from(p.int(6, 0).ok()?);
                let per_group = num_output * kernel_w * kernel_h;
                let group = if layer.kind.ends_with("DepthWise") {
                    group
                } else {
                    1
                };
                if per_group <= 0 || size % per_group != 0 {
                    return None;
                }
                return Some(size / per_group * group);
            }
            _ => return None,
        }
    }
    None
}

/// Declares every produced, never-consumed blob (other than Split aliases)
/// as an output, in production order.
fn declare_outputs(cv: &mut Converter, layers: &[Layer]) {
    let consumed: HashSet<&str> = layers
        .iter()
        .flat_map(|l| l.inputs.iter().map(String::as_str))
        .collect();
    for layer in layers {
        if layer.kind == "Input" || layer.kind == "Split" {
            continue;
        }
        for out in &layer.outputs {
            if consumed.contains(out.as_str()) {
                continue;
            }
            if let Some(blob) = cv.blob(out) {
                let value = blob.value.clone();
                cv.g.output(&value, out, DataType::Float, None);
            }
        }
    }
}
