//! TensorFlow.js *graph model* importer: `model.json` (`format:
//! "graph-model"`, a GraphDef in JSON plus a weights manifest) → ONNX.
//!
//! # What the ONNX model looks like
//!
//! * **Fixed size.** The model is imported for one input size: each
//!   `Placeholder`'s declared shape, with a -1 batch fixed to 1 and other -1
//!   dimensions taken from the signature (else the import fails with a clear
//!   error). Every tensor therefore has a static shape at import time, and
//!   all shape arithmetic (`Shape`, `StridedSlice`, `Pack`, `Cast`, `Range`,
//!   `Prod`, … of known values) is evaluated while importing, so the ONNX
//!   graph only contains constant shapes.
//! * **Layout.** Tensors keep TF's NHWC layout. Spatial ONNX ops (which are
//!   NCHW) are wrapped in `Transpose` NHWC→NCHW … NCHW→NHWC; ONNX Runtime
//!   removes back-to-back transposes when optimising.
//! * **Inputs** are named exactly like the TF placeholders (e.g.
//!   `tower_0/images`, `input_1`), float32, with the TF (NHWC) shape and
//!   batch 1. Only placeholders the outputs depend on are declared, sorted by
//!   name.
//! * **Outputs.** With a signature: its outputs; without one: every graph
//!   sink (a non-constant node whose outputs nothing consumes). Each is named
//!   after its TF tensor: the node name for output 0 (`Identity`,
//!   `tower_0/detections`, `global_pooling/Mean`), `node:k` for output k>0.
//!   Outputs are **sorted by that name** (byte order), so the order does not
//!   depend on JSON key order. Integer/boolean outputs are cast to float32.
//! * **Metadata** (`GraphBuilder::metadata`): `format` = `tfjs-graph-model`,
//!   `inputs` / `outputs` = comma-separated ONNX (= TF) names in order,
//!   `output_keys` = the signature keys of the outputs in the same order
//!   (only with a signature), `layout` = `NHWC`, `importer_version`.
//!
//! TF int32/int64 tensors are computed as ONNX int64. Constants come from
//! the weights manifest (the weight named like the `Const` node; quantized
//! weights are dequantized by `tfjs_weights`) or from an inline `tensor`
//! attribute. Fused TF ops (`_FusedConv2D`, `FusedDepthwiseConv2dNative`,
//! `_FusedMatMul`) have their BiasAdd / FusedBatchNorm folded into the ONNX
//! weights and their activation applied after.
//!
//! Hard-swish and hard-sigmoid written out in elementary ops are fused
//! back into `HardSwish`/`HardSigmoid` after the conversion, exactly
//! (`fuse`).
//!
//! An op the importer does not know gives `ImportError::UnsupportedOp` with
//! kind "op", the op, the node and the model file.

mod ctx;
mod fuse;
mod math;
mod nn;
mod parse;
mod shape;
mod strided;
mod tensor;

use crate::import::tfjs_weights::{load_weights, Weight, WeightData};
use crate::import::ImportError;
use ctx::{arg, Ctx, DynVal, SizeRatio, Val};
use parse::{parse_shape, signature_entries, ModelJson, Node, SignatureEntry, TensorRef};
use seer_onnx::{DataType, Dim, ModelProto};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;
use tensor::{ConstTensor, DType, Data};

/// Version of this importer's output; bump when the produced ONNX changes
/// (used as a cache key).
pub const IMPORTER_VERSION: u32 = 2;

const FORMAT_NAME: &str = "TensorFlow.js graph model";

/// One model output: the TF tensor, its ONNX name and signature key.
struct OutputSpec {
    tensor: TensorRef,
    name: String,
    key: Option<String>,
}

/// How to import a graph model other than as declared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphImportOptions {
    /// Import for this input height and width (pixels) instead of the
    /// declared ones: the NHWC placeholder's H and W are replaced and every
    /// resize to a constant size is scaled by the same ratio, which must
    /// divide evenly (e.g. a multiple of the network's stride).
    pub input_hw: Option<(usize, usize)>,
    /// Import only these tensors as outputs (TF names, `node` or
    /// `node:k`), e.g. to leave out a decoding tail that hard-codes the
    /// declared size; empty = the signature's outputs.
    pub outputs: Vec<String>,
}

/// Converts the TF.js graph model at `model_json` (weights read from the
/// shards next to it) into an ONNX model for the fixed input size; see the
/// module documentation for names, layout and output order.
pub fn import(model_json: &Path) -> Result<ModelProto, ImportError> {
    import_with(model_json, &GraphImportOptions::default())
}

/// [`import`] with another input size and/or a chosen set of outputs.
pub fn import_with(
    model_json: &Path,
    options: &GraphImportOptions,
) -> Result<ModelProto, ImportError> {
    let text = std::fs::read_to_string(model_json).map_err(|e| ImportError::io(model_json, e))?;
    let bad_json = |detail: String| ImportError::BadJson {
        path: model_json.to_path_buf(),
        format: FORMAT_NAME,
        detail,
    };
    let model: ModelJson = serde_json::from_str(&text).map_err(|source| ImportError::NotJson {
        path: model_json.to_path_buf(),
        format: FORMAT_NAME,
        source,
    })?;
    if let Some(format) = &model.format {
        if format != "graph-model" {
            return Err(bad_json(format!(
                "format is '{format}', expected 'graph-model'"
            )));
        }
    }
    let nodes: Vec<Node> = model
        .model_topology
        .node
        .into_iter()
        .map(Node::from_raw)
        .collect();
    if nodes.is_empty() {
        return Err(bad_json("modelTopology has no nodes".into()));
    }
    let mut weights = load_weights(model_json, &model.weights_manifest)?;
    let mut index = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if index.insert(n.name.clone(), i).is_some() {
            return Err(ImportError::malformed(
                model_json,
                format!("two nodes are named '{}'", n.name),
            ));
        }
    }
    let sig_inputs = signature_entries(model.signature.as_ref(), "inputs");
    let outputs = if options.outputs.is_empty() {
        output_specs(model_json, &nodes, &index, model.signature.as_ref())?
    } else {
        chosen_outputs(model_json, &index, &options.outputs)?
    };
    let roots: Vec<usize> = outputs.iter().map(|o| index[&o.tensor.node]).collect();
    let order = topo_order(model_json, &nodes, &index, &roots)?;

    let graph_name = model_json
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    let mut ctx = Ctx::new(model_json, &graph_name);
    for o in &outputs {
        ctx.g.unique_name(&o.name);
    }
    let mut values: HashMap<String, Vec<Val>> = HashMap::new();
    let input_names = declare_inputs(
        &mut ctx,
        &nodes,
        &order,
        &sig_inputs,
        options.input_hw,
        &mut values,
    )?;
    for &i in &order {
        let node = &nodes[i];
        if values.contains_key(&node.name) {
            continue;
        }
        let inputs = node
            .inputs
            .iter()
            .map(|t| resolve(&ctx, &values, node, t))
            .collect::<Result<Vec<_>, _>>()?;
        tracing::trace!(node = %node.name, op = %node.op, "converting");
        let outs = convert_node(&mut ctx, node, &inputs, &mut weights)?;
        values.insert(node.name.clone(), outs);
    }
    for o in &outputs {
        let node = &nodes[index[&o.tensor.node]];
        let v = resolve(&ctx, &values, node, &o.tensor)?;
        let v = ctx.cast(&v, DType::Float, &o.name);
        let value_name = ctx.name_of(&v, &o.name);
        let dims: Vec<Dim> = v.shape().iter().map(|&d| Dim::Fixed(d as i64)).collect();
        ctx.g
            .output(&value_name, &o.name, DataType::Float, Some(&dims));
    }
    write_metadata(&mut ctx, &input_names, &outputs, model.signature.is_some());
    tracing::debug!(
        model = %model_json.display(),
        nodes = ctx.g.node_count(),
        "imported TF.js graph model"
    );
    let mut onnx = ctx.g.finish();
    let fused = fuse::fuse_hard_activations(&mut onnx);
    tracing::debug!(fused, "fused hard activations");
    Ok(onnx)
}

fn write_metadata(ctx: &mut Ctx, inputs: &[String], outputs: &[OutputSpec], has_signature: bool) {
    let out_names: Vec<&str> = outputs.iter().map(|o| o.name.as_str()).collect();
    ctx.g.metadata("format", "tfjs-graph-model");
    ctx.g.metadata("inputs", &inputs.join(","));
    ctx.g.metadata("outputs", &out_names.join(","));
    if has_signature {
        let keys: Vec<&str> = outputs
            .iter()
            .map(|o| o.key.as_deref().unwrap_or(""))
            .collect();
        ctx.g.metadata("output_keys", &keys.join(","));
    }
    ctx.g.metadata("layout", "NHWC");
    ctx.g
        .metadata("importer_version", &IMPORTER_VERSION.to_string());
}

/// The model outputs: the signature's, else every sink; sorted by name.
fn output_specs(
    model: &Path,
    nodes: &[Node],
    index: &HashMap<String, usize>,
    signature: Option<&Value>,
) -> Result<Vec<OutputSpec>, ImportError> {
    let mut specs: Vec<OutputSpec> = signature_entries(signature, "outputs")
        .into_iter()
        .map(|e| OutputSpec {
            name: e.tensor.display_name(),
            tensor: e.tensor,
            key: Some(e.key),
        })
        .collect();
    if specs.is_empty() {
        let consumed: HashSet<&str> = nodes
            .iter()
            .flat_map(|n| n.inputs.iter().map(|t| t.node.as_str()))
            .collect();
        specs = nodes
            .iter()
            .filter(|n| !matches!(n.op.as_str(), "Const" | "Placeholder" | "NoOp"))
            .filter(|n| !consumed.contains(n.name.as_str()))
            .map(|n| OutputSpec {
                tensor: TensorRef {
                    node: n.name.clone(),
                    index: 0,
                },
                name: n.name.clone(),
                key: None,
            })
            .collect();
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    specs.dedup_by(|a, b| a.name == b.name);
    if specs.is_empty() {
        return Err(ImportError::malformed(model, "the graph has no outputs"));
    }
    for s in &specs {
        if !index.contains_key(&s.tensor.node) {
            return Err(ImportError::malformed(
                model,
                format!("signature output '{}' names no node of the graph", s.name),
            ));
        }
    }
    Ok(specs)
}

/// The outputs named by the caller, sorted by name; each must name a node.
fn chosen_outputs(
    model: &Path,
    index: &HashMap<String, usize>,
    names: &[String],
) -> Result<Vec<OutputSpec>, ImportError> {
    let mut specs = Vec::new();
    for name in names {
        let tensor = TensorRef::parse(name)
            .filter(|t| index.contains_key(&t.node))
            .ok_or_else(|| {
                ImportError::malformed(
                    model,
                    format!("the chosen output '{name}' names no node of the graph"),
                )
            })?;
        specs.push(OutputSpec {
            name: tensor.display_name(),
            tensor,
            key: None,
        });
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    specs.dedup_by(|a, b| a.name == b.name);
    Ok(specs)
}

/// Nodes needed for `roots`, each after its inputs (control inputs ignored).
fn topo_order(
    model: &Path,
    nodes: &[Node],
    index: &HashMap<String, usize>,
    roots: &[usize],
) -> Result<Vec<usize>, ImportError> {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; nodes.len()];
    let mut order = Vec::new();
    for &root in roots {
        if state[root] == DONE {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = OPEN;
        while let Some(top) = stack.last_mut() {
            let (i, pos) = *top;
            if let Some(t) = nodes[i].inputs.get(pos) {
                top.1 += 1;
                let &j = index.get(&t.node).ok_or_else(|| {
                    ImportError::malformed(
                        model,
                        format!(
                            "node '{}' reads '{}', which is not in the graph",
                            nodes[i].name, t.node
                        ),
                    )
                })?;
                match state[j] {
                    NEW => {
                        state[j] = OPEN;
                        stack.push((j, 0));
                    }
                    OPEN => {
                        return Err(ImportError::malformed(
                            model,
                            format!("the graph has a cycle through node '{}' (control flow is not supported)", nodes[j].name),
                        ))
                    }
                    _ => {}
                }
            } else {
                state[i] = DONE;
                order.push(i);
                stack.pop();
            }
        }
    }
    Ok(order)
}

/// Declares the ONNX inputs for the placeholders in `order`; returns their names.
fn declare_inputs(
    ctx: &mut Ctx,
    nodes: &[Node],
    order: &[usize],
    signature: &[SignatureEntry],
    input_hw: Option<(usize, usize)>,
    values: &mut HashMap<String, Vec<Val>>,
) -> Result<Vec<String>, ImportError> {
    let mut placeholders: Vec<&Node> = order
        .iter()
        .map(|&i| &nodes[i])
        .filter(|n| n.op == "Placeholder")
        .collect();
    placeholders.sort_by(|a, b| a.name.cmp(&b.name));
    let mut names = Vec::new();
    for node in placeholders {
        let dtype = node.attr_type("dtype").unwrap_or_else(|| "DT_FLOAT".into());
        if DType::from_tf(&dtype) != Some(DType::Float) {
            return Err(ctx.err(
                node,
                format!("input has type {dtype}; only float inputs are supported"),
            ));
        }
        let mut shape = input_shape(ctx, node, signature)?;
        if let Some((h, w)) = input_hw {
            let [_, declared_h, declared_w, _] = shape[..] else {
                return Err(ctx.err(
                    node,
                    format!("input shape {shape:?} is not NHWC; cannot import it for another size"),
                ));
            };
            if h == 0 || w == 0 {
                return Err(ctx.err(node, format!("input size {h}x{w} has no pixels")));
            }
            ctx.size_ratio = Some(SizeRatio {
                declared: (declared_h, declared_w),
                chosen: (h, w),
            });
            shape[1] = h;
            shape[2] = w;
        }
        let dims: Vec<Dim> = shape.iter().map(|&d| Dim::Fixed(d as i64)).collect();
        let name = ctx.g.input(&node.name, DataType::Float, &dims);
        values.insert(
            node.name.clone(),
            vec![Val::Dyn(Rc::new(DynVal {
                name: name.clone(),
                shape,
                dtype: DType::Float,
            }))],
        );
        names.push(name);
    }
    Ok(names)
}

/// The fixed input shape: batch -1 → 1, other -1 from the signature.
fn input_shape(
    ctx: &Ctx,
    node: &Node,
    signature: &[SignatureEntry],
) -> Result<Vec<usize>, ImportError> {
    let sig = signature
        .iter()
        .find(|e| e.tensor.node == node.name)
        .and_then(|e| e.shape.clone());
    let declared = node
        .attr_shape("shape")
        .or_else(|| sig.clone())
        .ok_or_else(|| ctx.err(node, "input has no declared shape; cannot fix its size"))?;
    let mut shape = Vec::with_capacity(declared.len());
    for (i, &d) in declared.iter().enumerate() {
        let from_sig = sig
            .as_ref()
            .and_then(|s| s.get(i))
            .copied()
            .filter(|&v| v >= 0);
        let fixed = if d >= 0 {
            d
        } else if let Some(v) = from_sig {
            v
        } else if i == 0 {
            1
        } else {
            return Err(ctx.err(
                node,
                format!("input dimension {i} of {declared:?} is unknown; seer imports graph models for a fixed input size"),
            ));
        };
        shape.push(fixed as usize);
    }
    Ok(shape)
}

fn resolve(
    ctx: &Ctx,
    values: &HashMap<String, Vec<Val>>,
    node: &Node,
    t: &TensorRef,
) -> Result<Val, ImportError> {
    values
        .get(&t.node)
        .and_then(|outs| outs.get(t.index))
        .cloned()
        .ok_or_else(|| ctx.err(node, format!("input '{}' has no value", t.display_name())))
}

/// Converts one node given its input values; returns its output values.
fn convert_node(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
    weights: &mut BTreeMap<String, Weight>,
) -> Result<Vec<Val>, ImportError> {
    let op = node.op.as_str();
    if let Some(kind) = math::binary_kind(op) {
        return math::binary(ctx, node, inputs, kind);
    }
    if math::is_unary(op) {
        return math::unary(ctx, node, inputs);
    }
    match op {
        "Const" => Ok(vec![Val::constant(load_const(ctx, node, weights)?)]),
        "Identity"
        | "StopGradient"
        | "Snapshot"
        | "PreventGradient"
        | "EnsureShape"
        | "CheckNumerics"
        | "PlaceholderWithDefault" => Ok(vec![arg(ctx, node, inputs, 0)?.clone()]),
        "IdentityN" => Ok(inputs.to_vec()),
        "NoOp" => Ok(vec![]),
        "Conv2D" | "_FusedConv2D" => nn::conv2d(ctx, node, inputs, false),
        "DepthwiseConv2dNative" | "FusedDepthwiseConv2dNative" => {
            nn::conv2d(ctx, node, inputs, true)
        }
        "Conv2DBackpropInput" => nn::conv_transpose(ctx, node, inputs),
        "MatMul" | "_FusedMatMul" | "BatchMatMul" | "BatchMatMulV2" => {
            nn::matmul(ctx, node, inputs)
        }
        "MaxPool" | "AvgPool" => nn::pool(ctx, node, inputs),
        "ResizeBilinear" | "ResizeNearestNeighbor" => nn::resize(ctx, node, inputs),
        "DepthToSpace" | "SpaceToDepth" => nn::depth_space(ctx, node, inputs),
        "FusedBatchNorm" | "FusedBatchNormV2" | "FusedBatchNormV3" => {
            nn::batch_norm(ctx, node, inputs)
        }
        "Prelu" => math::prelu(ctx, node, inputs),
        "AddN" => math::add_n(ctx, node, inputs),
        "Mean" | "Sum" | "Max" | "Min" | "Prod" | "All" | "Any" => math::reduce(ctx, node, inputs),
        "ArgMax" | "ArgMin" => math::arg_reduce(ctx, node, inputs),
        "Cast" => math::cast(ctx, node, inputs),
        "Select" | "SelectV2" => math::select(ctx, node, inputs),
        "ClipByValue" => math::clip(ctx, node, inputs),
        "TopKV2" => math::top_k(ctx, node, inputs),
        "Shape" | "ShapeN" | "Size" | "Rank" => shape::shape_of(ctx, node, inputs),
        "ZerosLike" | "OnesLike" => shape::fill_like(ctx, node, inputs),
        "Reshape" => shape::reshape(ctx, node, inputs),
        "Squeeze" => shape::squeeze(ctx, node, inputs),
        "ExpandDims" => shape::expand_dims(ctx, node, inputs),
        "Transpose" => shape::transpose(ctx, node, inputs),
        "ConcatV2" | "Concat" => shape::concat(ctx, node, inputs),
        "Pack" => shape::pack(ctx, node, inputs),
        "Unpack" => shape::unpack(ctx, node, inputs),
        "Split" | "SplitV" => shape::split(ctx, node, inputs),
        "Pad" | "PadV2" | "MirrorPad" => shape::pad(ctx, node, inputs),
        "StridedSlice" => shape::strided_slice(ctx, node, inputs),
        "Slice" => shape::slice(ctx, node, inputs),
        "GatherV2" | "Gather" => shape::gather(ctx, node, inputs),
        "Tile" => shape::tile(ctx, node, inputs),
        "Fill" | "BroadcastTo" => shape::fill(ctx, node, inputs),
        "Range" => shape::range(ctx, node, inputs),
        "SparseToDense" => shape::sparse_to_dense(ctx, node, inputs),
        _ => Err(ctx.unsupported(node, "op", op)),
    }
}

/// The value of a `Const` node: its weight, else its inline `tensor` attribute.
fn load_const(
    ctx: &Ctx,
    node: &Node,
    weights: &mut BTreeMap<String, Weight>,
) -> Result<ConstTensor, ImportError> {
    let declared = node.attr_type("dtype").and_then(|t| DType::from_tf(&t));
    let t = if let Some(w) = weights.remove(&node.name) {
        let data = match w.data {
            WeightData::F32(v) => Data::F32(v),
            WeightData::I32(v) => Data::I64(v.into_iter().map(i64::from).collect()),
            WeightData::Bool(v) => Data::Bool(v),
        };
        ConstTensor {
            shape: w.shape,
            data,
        }
    } else {
        let tensor = node
            .attrs
            .get("value")
            .and_then(|v| v.get("tensor"))
            .ok_or_else(|| {
                ctx.err(
                    node,
                    "constant has no weight in the manifest and no inline value",
                )
            })?;
        inline_tensor(tensor).map_err(|e| ctx.err(node, format!("inline tensor: {e}")))?
    };
    Ok(match declared {
        Some(d) if d != t.dtype() => t.cast(d),
        _ => t,
    })
}

/// Decodes a TensorProto in protobuf-JSON form (`tensorContent` or `*Val`).
fn inline_tensor(t: &Value) -> Result<ConstTensor, String> {
    let dtype_name = t.get("dtype").and_then(Value::as_str).unwrap_or("DT_FLOAT");
    let dtype =
        DType::from_tf(dtype_name).ok_or_else(|| format!("unsupported type {dtype_name}"))?;
    let dims = t
        .get("tensorShape")
        .and_then(parse_shape)
        .unwrap_or_default();
    if dims.iter().any(|&d| d < 0) {
        return Err(format!("shape {dims:?} is not fully known"));
    }
    let shape: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
    let count: usize = shape.iter().product();
    let values: Vec<f64> = if let Some(b64) = t.get("tensorContent").and_then(Value::as_str) {
        let bytes = parse::decode_base64(b64).ok_or("tensorContent is not base64")?;
        decode_content(dtype_name, &bytes)?
    } else {
        let list = [
            "floatVal",
            "intVal",
            "int64Val",
            "boolVal",
            "halfVal",
            "doubleVal",
        ]
        .iter()
        .find_map(|k| t.get(*k).and_then(Value::as_array));
        list.map(|a| {
            a.iter()
                .map(|v| match v {
                    Value::Bool(b) => *b as i64 as f64,
                    other => parse::json_f32(other).map(f64::from).unwrap_or(0.0),
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let values: Vec<f64> = match values.len() {
        n if n == count => values,
        0 => vec![0.0; count],
        1 => vec![values[0]; count],
        n => return Err(format!("{n} values for {count} elements")),
    };
    let data = match dtype {
        DType::Float => Data::F32(values.iter().map(|&v| v as f32).collect()),
        DType::Int => Data::I64(values.iter().map(|&v| v as i64).collect()),
        DType::Bool => Data::Bool(values.iter().map(|&v| v != 0.0).collect()),
    };
    Ok(ConstTensor { shape, data })
}

fn decode_content(dtype: &str, bytes: &[u8]) -> Result<Vec<f64>, String> {
    Ok(match dtype {
        "DT_FLOAT" => bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
            .collect(),
        "DT_INT32" => bytes
            .chunks_exact(4)
            .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
            .collect(),
        "DT_INT64" => bytes
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f64)
            .collect(),
        "DT_BOOL" | "DT_UINT8" => bytes.iter().map(|&b| b as f64).collect(),
        other => return Err(format!("tensorContent of type {other} is not supported")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_tensors_decode_values_and_content() {
        let v: Value = serde_json::from_str(
            r#"{"dtype":"DT_INT32","tensorShape":{"dim":[{"size":"3"}]},"intVal":[1,"2",3]}"#,
        )
        .unwrap();
        assert_eq!(
            inline_tensor(&v).unwrap(),
            ConstTensor::i64(vec![3], vec![1, 2, 3])
        );
        // 1.0f32, 2.0f32 little-endian, base64.
        let v: Value = serde_json::from_str(
            r#"{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"2"}]},"tensorContent":"AACAPwAAAEA="}"#,
        )
        .unwrap();
        assert_eq!(
            inline_tensor(&v).unwrap(),
            ConstTensor::f32(vec![2], vec![1.0, 2.0])
        );
        let v: Value =
            serde_json::from_str(r#"{"dtype":"DT_FLOAT","tensorShape":{},"floatVal":[0.5]}"#)
                .unwrap();
        assert_eq!(
            inline_tensor(&v).unwrap(),
            ConstTensor::f32(vec![], vec![0.5])
        );
    }
}
