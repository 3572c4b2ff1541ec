//! Graph conversion state: ncnn blobs mapped to ONNX values, parameter
//! access with errors that name the layer and line, and the layer dispatch.

use super::param::Layer;
use super::weights::WeightReader;
use super::{activation, arith, conv, spatial};
use crate::import::ImportError;
use seer_onnx::GraphBuilder;
use std::collections::HashMap;
use std::path::Path;

/// Layer types this importer converts.
pub(crate) const SUPPORTED_LAYERS: &[&str] = &[
    "Input",
    "Split",
    "Convolution",
    "ConvolutionDepthWise",
    "Deconvolution",
    "DeconvolutionDepthWise",
    "InnerProduct",
    "ReLU",
    "PReLU",
    "Sigmoid",
    "TanH",
    "Clip",
    "Concat",
    "Eltwise",
    "BinaryOp",
    "Scale",
    "Pooling",
    "Interp",
    "PixelShuffle",
    "Crop",
    "Padding",
];

/// How an ncnn blob is laid out in ONNX.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rank {
    /// An ncnn 3-D blob (c, h, w) as ONNX `[N, C, H, W]`.
    Image,
    /// An ncnn 1-D blob (w) as ONNX `[N, W]` (InnerProduct and global
    /// pooling outputs).
    Vector,
}

/// An ncnn blob's ONNX value.
#[derive(Clone, Debug)]
pub(crate) struct Blob {
    /// ONNX value name.
    pub(crate) value: String,
    /// Layout.
    pub(crate) rank: Rank,
}

/// Conversion state for one model.
pub(crate) struct Converter<'a> {
    /// The ONNX graph being built.
    pub(crate) g: GraphBuilder,
    /// The `.bin` reader, positioned at the next layer's weights.
    pub(crate) weights: WeightReader<'a>,
    /// The `.param` file (named in errors).
    pub(crate) model: &'a Path,
    blobs: HashMap<String, Blob>,
}

impl<'a> Converter<'a> {
    /// A converter writing into `g`.
    pub(crate) fn new(g: GraphBuilder, weights: WeightReader<'a>, model: &'a Path) -> Self {
        Converter {
            g,
            weights,
            model,
            blobs: HashMap::new(),
        }
    }

    /// The ONNX value of a blob, if it has been produced.
    pub(crate) fn blob(&self, name: &str) -> Option<&Blob> {
        self.blobs.get(name)
    }

    /// Records that ncnn blob `name` is ONNX value `value`.
    pub(crate) fn define_blob(&mut self, name: &str, value: String, rank: Rank) {
        self.blobs.insert(name.to_string(), Blob { value, rank });
    }

    /// Converts one layer.
    pub(crate) fn convert(&mut self, layer: &Layer) -> Result<(), ImportError> {
        match layer.kind.as_str() {
            "Input" => self.check_io(layer, 0, 1),
            "Split" => self.split(layer),
            "Convolution" | "ConvolutionDepthWise" => conv::convolution(self, layer),
            "Deconvolution" | "DeconvolutionDepthWise" => conv::deconvolution(self, layer),
            "InnerProduct" => conv::inner_product(self, layer),
            "ReLU" | "PReLU" | "Sigmoid" | "TanH" | "Clip" => activation::layer(self, layer),
            "Concat" => spatial::concat(self, layer),
            "Eltwise" => arith::eltwise(self, layer),
            "BinaryOp" => arith::binary_op(self, layer),
            "Scale" => arith::scale(self, layer),
            "Pooling" => spatial::pooling(self, layer),
            "Interp" => spatial::interp(self, layer),
            "PixelShuffle" => spatial::pixel_shuffle(self, layer),
            "Crop" => spatial::crop(self, layer),
            "Padding" => spatial::padding(self, layer),
            _ => Err(self.unsupported_layer(layer)),
        }
    }

    /// `Split`: every output is the input under another name.
    fn split(&mut self, layer: &Layer) -> Result<(), ImportError> {
        if layer.inputs.len() != 1 || layer.outputs.is_empty() {
            return Err(self.malformed(layer, "Split needs one input and at least one output"));
        }
        let x = self.input(layer, 0)?;
        for out in &layer.outputs {
            self.define_blob(out, x.value.clone(), x.rank);
        }
        Ok(())
    }

    /// Checks the layer's input and output counts.
    pub(crate) fn check_io(
        &self,
        layer: &Layer,
        n_in: usize,
        n_out: usize,
    ) -> Result<(), ImportError> {
        if layer.inputs.len() != n_in || layer.outputs.len() != n_out {
            return Err(self.malformed(
                layer,
                format!(
                    "{} needs {n_in} input(s) and {n_out} output(s), found {} and {}",
                    layer.kind,
                    layer.inputs.len(),
                    layer.outputs.len()
                ),
            ));
        }
        Ok(())
    }

    /// Input blob `i` of `layer`.
    pub(crate) fn input(&self, layer: &Layer, i: usize) -> Result<Blob, ImportError> {
        let name = layer
            .inputs
            .get(i)
            .ok_or_else(|| self.malformed(layer, format!("missing input {i}")))?;
        self.blobs.get(name).cloned().ok_or_else(|| {
            self.malformed(
                layer,
                format!("input blob '{name}' is not produced by any earlier layer"),
            )
        })
    }

    /// Input blob `i` of `layer`, which must be an image (`[N, C, H, W]`).
    pub(crate) fn image_input(&self, layer: &Layer, i: usize) -> Result<String, ImportError> {
        let blob = self.input(layer, i)?;
        if blob.rank != Rank::Image {
            return Err(self.unsupported_param(layer, "a 1-D input blob"));
        }
        Ok(blob.value)
    }

    /// Defines output `i` of `layer` as `value`.
    pub(crate) fn set_output(&mut self, layer: &Layer, i: usize, value: String, rank: Rank) {
        if let Some(name) = layer.outputs.get(i) {
            self.define_blob(name, value, rank);
        }
    }

    /// Name hint for the ONNX value of output `i` (the blob name).
    pub(crate) fn out_name(layer: &Layer, i: usize) -> String {
        layer
            .outputs
            .get(i)
            .cloned()
            .unwrap_or_else(|| layer.name.clone())
    }

    /// `blob` as an image: 1-D blobs (`[N, C]`) become `[N, C, 1, 1]`.
    pub(crate) fn as_image(&mut self, blob: &Blob, hint: &str) -> String {
        match blob.rank {
            Rank::Image => blob.value.clone(),
            Rank::Vector => {
                let axes = self.g.const_i64(&format!("{hint}_axes"), &[2], &[2, 3]);
                self.g.node("Unsqueeze", &[&blob.value, &axes], &[], hint)
            }
        }
    }

    /// Parameter access for `layer`.
    pub(crate) fn params<'l>(&self, layer: &'l Layer) -> Params<'l>
    where
        'a: 'l,
    {
        Params {
            layer,
            model: self.model,
        }
    }

    /// A `Malformed` error naming the layer and its line.
    pub(crate) fn malformed(&self, layer: &Layer, detail: impl AsRef<str>) -> ImportError {
        malformed(self.model, layer, detail.as_ref())
    }

    /// An `UnsupportedOp` error for a layer option this importer cannot express.
    pub(crate) fn unsupported_param(&self, layer: &Layer, what: &str) -> ImportError {
        ImportError::UnsupportedOp {
            model: self.model.to_path_buf(),
            kind: "layer option",
            op: format!("{} with {what}", layer.kind),
            node: layer.name.clone(),
        }
    }

    /// An `UnsupportedOp` error for an unknown layer type.
    pub(crate) fn unsupported_layer(&self, layer: &Layer) -> ImportError {
        unsupported_layer(self.model, layer)
    }
}

/// An `UnsupportedOp` error for an unknown layer type.
pub(crate) fn unsupported_layer(model: &Path, layer: &Layer) -> ImportError {
    ImportError::UnsupportedOp {
        model: model.to_path_buf(),
        kind: "layer",
        op: layer.kind.clone(),
        node: layer.name.clone(),
    }
}

fn malformed(model: &Path, layer: &Layer, detail: &str) -> ImportError {
    ImportError::malformed(
        model,
        format!(
            "line {}: {} layer '{}': {detail}",
            layer.line, layer.kind, layer.name
        ),
    )
}

/// Typed access to one layer's parameters; errors name the layer.
pub(crate) struct Params<'l> {
    layer: &'l Layer,
    model: &'l Path,
}

impl Params<'_> {
    /// Integer parameter `id` (or `default`).
    pub(crate) fn int(&self, id: i32, default: i32) -> Result<i32, ImportError> {
        self.layer.params.int(id, default).map_err(|e| self.err(&e))
    }

    /// Integer parameter `id` as i64 (or `default`).
    pub(crate) fn i64(&self, id: i32, default: i32) -> Result<i64, ImportError> {
        self.int(id, default).map(i64::from)
    }

    /// Integer parameter `id` that must be present and positive.
    pub(crate) fn positive(&self, id: i32, what: &str) -> Result<i64, ImportError> {
        let v = self.int(id, 0)?;
        if v <= 0 {
            return Err(self.err(&format!("{id}={what} must be positive, found {v}")));
        }
        Ok(i64::from(v))
    }

    /// Float parameter `id` (or `default`).
    pub(crate) fn float(&self, id: i32, default: f32) -> Result<f32, ImportError> {
        self.layer
            .params
            .float(id, default)
            .map_err(|e| self.err(&e))
    }

    /// Float array parameter `id`, if present.
    pub(crate) fn floats(&self, id: i32) -> Result<Option<Vec<f32>>, ImportError> {
        self.layer.params.floats(id).map_err(|e| self.err(&e))
    }

    /// Integer array parameter `id`, if present.
    pub(crate) fn ints(&self, id: i32) -> Result<Option<Vec<i32>>, ImportError> {
        self.layer.params.ints(id).map_err(|e| self.err(&e))
    }

    /// Whether parameter `id` is present.
    pub(crate) fn has(&self, id: i32) -> bool {
        self.layer.params.has(id)
    }

    /// A `Malformed` error about this layer.
    pub(crate) fn err(&self, detail: &str) -> ImportError {
        malformed(self.model, self.layer, detail)
    }
}
