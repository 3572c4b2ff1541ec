//! An independent reference interpreter for TensorFlow.js graph models.
//!
//! It executes the TF GraphDef JSON of a `model.json` directly, in NHWC, with
//! plain loops: no ONNX and no code shared with the importer except
//! `tfjs_weights::load_weights` for reading the weight shards. Values are
//! stored as `f64`; every float op accumulates in `f64` and rounds its result
//! to `f32` (as TensorFlow stores float32 tensors). Integer and boolean
//! tensors hold exact whole numbers in the same `f64` storage.
//!
//! Only the ops (and attribute combinations) used by the models under test
//! are implemented; anything else is an error naming the node.

use seer_models::import::tfjs_weights::{load_weights, ManifestGroup, Weight, WeightData};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Result type of the interpreter; errors are human-readable messages.
pub type Res<T> = Result<T, String>;

/// Element type of a tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    /// 32-bit float (values rounded to f32 after every op).
    F32,
    /// 32-bit signed integer.
    I32,
    /// 64-bit signed integer (exact up to 2^53 here).
    I64,
    /// Boolean stored as 0.0 / 1.0.
    Bool,
}

/// A dense row-major tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    /// Dimensions (empty = scalar).
    pub shape: Vec<usize>,
    /// Values in row-major order.
    pub data: Vec<f64>,
    /// Element type.
    pub dtype: DType,
}

impl Tensor {
    /// A tensor; panics if `data` does not match `shape` (programming error).
    pub fn new(shape: Vec<usize>, data: Vec<f64>, dtype: DType) -> Tensor {
        assert_eq!(shape.iter().product::<usize>(), data.len(), "shape/data");
        Tensor { shape, data, dtype }
    }

    /// A float tensor.
    pub fn f32(shape: Vec<usize>, data: Vec<f64>) -> Tensor {
        Tensor::new(shape, data, DType::F32)
    }

    /// The values as integers (for shapes, axes and indices).
    fn ints(&self) -> Vec<i64> {
        self.data.iter().map(|&v| v as i64).collect()
    }

    /// The single value of a scalar or one-element tensor.
    fn scalar(&self, what: &str) -> Res<f64> {
        match self.data.as_slice() {
            [v] => Ok(*v),
            _ => Err(format!(
                "{what} must have one element, has shape {:?}",
                self.shape
            )),
        }
    }

    fn rank(&self) -> usize {
        self.shape.len()
    }
}

/// One node of the graph.
#[derive(Clone, Debug)]
struct Node {
    name: String,
    op: String,
    /// Data inputs as (node name, output index); control inputs dropped.
    inputs: Vec<(String, usize)>,
    attr: Map<String, Value>,
}

/// A loaded TF.js graph model ready to be interpreted.
pub struct Graph {
    path: PathBuf,
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    weights: BTreeMap<String, Weight>,
    /// Signature outputs as (key, tensor name), sorted by key.
    signature_outputs: Vec<(String, String)>,
}

impl Graph {
    /// Reads `model.json` and its weight shards.
    pub fn load(model_json: &Path) -> Res<Graph> {
        let text = std::fs::read_to_string(model_json)
            .map_err(|e| format!("{}: {e}", model_json.display()))?;
        let root: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", model_json.display()))?;
        let topology = root
            .get("modelTopology")
            .ok_or("model.json has no modelTopology")?;
        let raw_nodes = topology
            .get("node")
            .and_then(Value::as_array)
            .ok_or("modelTopology has no node list")?;
        let mut nodes = Vec::new();
        for raw in raw_nodes {
            nodes.push(parse_node(raw)?);
        }
        let index = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        let manifest: Vec<ManifestGroup> = serde_json::from_value(
            root.get("weightsManifest")
                .cloned()
                .unwrap_or(Value::Array(vec![])),
        )
        .map_err(|e| format!("weightsManifest: {e}"))?;
        let weights = load_weights(model_json, &manifest).map_err(|e| e.to_string())?;
        let mut signature_outputs = Vec::new();
        if let Some(outs) = root
            .pointer("/signature/outputs")
            .and_then(Value::as_object)
        {
            for (key, spec) in outs {
                if let Some(name) = spec.get("name").and_then(Value::as_str) {
                    signature_outputs.push((key.clone(), name.to_string()));
                }
            }
        }
        Ok(Graph {
            path: model_json.to_path_buf(),
            nodes,
            index,
            weights,
            signature_outputs,
        })
    }

    /// Placeholders as (name, declared shape; -1 = unknown).
    pub fn placeholders(&self) -> Vec<(String, Vec<i64>)> {
        let mut out = Vec::new();
        for node in self.nodes.iter().filter(|n| n.op == "Placeholder") {
            let dims = node
                .attr
                .get("shape")
                .and_then(|v| v.pointer("/shape/dim"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let shape = dims
                .iter()
                .map(|d| d.get("size").map(json_i64).unwrap_or(Ok(-1)).unwrap_or(-1))
                .collect();
            out.push((node.name.clone(), shape));
        }
        out
    }

    /// The model's outputs as tensor names ("node" for output 0, "node:k"
    /// otherwise): the signature's outputs, else the nodes nobody consumes,
    /// both in file order.
    pub fn output_names(&self) -> Vec<String> {
        if !self.signature_outputs.is_empty() {
            let mut names: Vec<String> = self
                .signature_outputs
                .iter()
                .map(|(_, s)| canonical_tensor_name(s))
                .collect();
            names.sort_by_key(|n| self.index.get(split_tensor_name(n).0).copied());
            return names;
        }
        let mut used = std::collections::HashSet::new();
        for node in &self.nodes {
            for (input, _) in &node.inputs {
                used.insert(input.as_str());
            }
        }
        self.nodes
            .iter()
            .filter(|n| !used.contains(n.name.as_str()) && n.op != "Const")
            .map(|n| n.name.clone())
            .collect()
    }

    /// The signature key of output tensor `name` ("node" or "node:k"), if
    /// the model has a signature and the key differs from the tensor name.
    pub fn signature_key(&self, name: &str) -> Option<String> {
        self.signature_outputs
            .iter()
            .find(|(_, t)| canonical_tensor_name(t) == name)
            .map(|(k, _)| k.clone())
    }

    /// Runs the graph on `feeds` (placeholder name → value) and returns the
    /// tensors named in `outputs` ("node" or "node:k").
    pub fn run(&self, feeds: &[(&str, Tensor)], outputs: &[String]) -> Res<Vec<Tensor>> {
        let wanted: Vec<(usize, usize)> = outputs
            .iter()
            .map(|o| {
                let (name, k) = split_tensor_name(o);
                self.node_index(name).map(|i| (i, k))
            })
            .collect::<Res<_>>()?;
        let order = self.topological_order(&wanted.iter().map(|w| w.0).collect::<Vec<_>>())?;
        let mut remaining_uses: HashMap<usize, usize> = HashMap::new();
        for &i in &order {
            for (input, _) in &self.nodes[i].inputs {
                *remaining_uses.entry(self.index[input]).or_insert(0) += 1;
            }
        }
        for &(i, _) in &wanted {
            *remaining_uses.entry(i).or_insert(0) += 1;
        }
        let mut values: HashMap<usize, Vec<Tensor>> = HashMap::new();
        for &i in &order {
            let node = &self.nodes[i];
            let mut args = Vec::new();
            for (input, k) in &node.inputs {
                let from = self.index[input];
                let t = values
                    .get(&from)
                    .and_then(|outs| outs.get(*k))
                    .ok_or_else(|| format!("node '{}': input '{input}:{k}' missing", node.name))?;
                args.push(t);
            }
            let mut result = self.eval(node, &args, feeds).map_err(|e| {
                format!(
                    "{}: node '{}' ({}): {e}",
                    self.path.display(),
                    node.name,
                    node.op
                )
            })?;
            for t in &mut result {
                if t.dtype == DType::F32 {
                    round_to_f32(&mut t.data);
                }
            }
            drop(args);
            for (input, _) in &node.inputs {
                let from = self.index[input];
                if let Some(n) = remaining_uses.get_mut(&from) {
                    *n -= 1;
                    if *n == 0 {
                        values.remove(&from);
                    }
                }
            }
            values.insert(i, result);
        }
        wanted
            .iter()
            .zip(outputs)
            .map(|(&(i, k), name)| {
                values
                    .get(&i)
                    .and_then(|v| v.get(k))
                    .cloned()
                    .ok_or_else(|| format!("output '{name}' was not produced"))
            })
            .collect()
    }

    fn node_index(&self, name: &str) -> Res<usize> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| format!("no node named '{name}'"))
    }

    /// Nodes needed for `targets`, each after its inputs.
    fn topological_order(&self, targets: &[usize]) -> Res<Vec<usize>> {
        let mut state = vec![0u8; self.nodes.len()]; // 0 new, 1 open, 2 done
        let mut order = Vec::new();
        for &t in targets {
            let mut stack = vec![(t, false)];
            while let Some((i, expanded)) = stack.pop() {
                if expanded {
                    state[i] = 2;
                    order.push(i);
                    continue;
                }
                match state[i] {
                    2 => continue,
                    1 => return Err(format!("cycle at node '{}'", self.nodes[i].name)),
                    _ => {}
                }
                state[i] = 1;
                stack.push((i, true));
                for (input, _) in &self.nodes[i].inputs {
                    let j = self.node_index(input)?;
                    if state[j] == 0 {
                        stack.push((j, false));
                    } else if state[j] == 1 {
                        return Err(format!("cycle at node '{input}'"));
                    }
                }
            }
        }
        Ok(order)
    }

    fn eval(&self, node: &Node, args: &[&Tensor], feeds: &[(&str, Tensor)]) -> Res<Vec<Tensor>> {
        let one = |t: Tensor| Ok(vec![t]);
        let arg = |i: usize| -> Res<&Tensor> {
            args.get(i)
                .copied()
                .ok_or_else(|| format!("needs at least {} inputs", i + 1))
        };
        match node.op.as_str() {
            "Const" => one(self.constant(node)?),
            "Placeholder" => feeds
                .iter()
                .find(|(name, _)| *name == node.name)
                .map(|(_, t)| vec![t.clone()])
                .ok_or_else(|| "no value fed for placeholder".to_string()),
            "Identity" | "StopGradient" => one(arg(0)?.clone()),
            "Conv2D" => one(conv_node(node, arg(0)?, arg(1)?, false)?),
            "DepthwiseConv2dNative" => one(conv_node(node, arg(0)?, arg(1)?, true)?),
            "_FusedConv2D" => {
                let mut y = conv_node(node, arg(0)?, arg(1)?, false)?;
                apply_fused_ops(node, &mut y, &args[2..])?;
                one(y)
            }
            "FusedDepthwiseConv2dNative" => {
                let mut y = conv_node(node, arg(0)?, arg(1)?, true)?;
                apply_fused_ops(node, &mut y, &args[2..])?;
                one(y)
            }
            "MatMul" => one(matmul_node(node, arg(0)?, arg(1)?)?),
            "_FusedMatMul" => {
                let mut y = matmul_node(node, arg(0)?, arg(1)?)?;
                apply_fused_ops(node, &mut y, &args[2..])?;
                one(y)
            }
            "BiasAdd" => {
                let mut y = arg(0)?.clone();
                add_channel_vector(&mut y, arg(1)?, |v, b| v + b)?;
                one(y)
            }
            "Add" | "AddV2" | "Sub" | "Mul" | "RealDiv" | "Div" | "Minimum" | "Maximum"
            | "FloorDiv" | "FloorMod" | "SquaredDifference" | "Pow" => {
                one(binary(&node.op, arg(0)?, arg(1)?)?)
            }
            "Equal" | "NotEqual" | "Greater" | "GreaterEqual" | "Less" | "LessEqual" => {
                one(compare(&node.op, arg(0)?, arg(1)?)?)
            }
            "Relu" | "Relu6" | "Sigmoid" | "Tanh" | "Neg" | "Exp" | "Sqrt" | "Rsqrt" | "Square"
            | "Abs" | "Elu" | "LeakyRelu" => {
                let alpha = attr_f(node, "alpha").unwrap_or(0.2);
                let mut y = arg(0)?.clone();
                for v in &mut y.data {
                    *v = activation(&node.op, *v, alpha)?;
                }
                one(y)
            }
            "Softmax" => one(softmax(arg(0)?)?),
            "Pad" => one(pad(arg(0)?, arg(1)?, 0.0)?),
            "PadV2" => one(pad(arg(0)?, arg(1)?, arg(2)?.scalar("pad value")?)?),
            "MaxPool" => one(pool_node(node, arg(0)?, true)?),
            "AvgPool" => one(pool_node(node, arg(0)?, false)?),
            "Mean" | "Sum" | "Max" | "Min" | "Prod" => {
                let keep = attr_b(node, "keep_dims");
                one(reduce(&node.op, arg(0)?, &arg(1)?.ints(), keep)?)
            }
            "Reshape" => one(reshape(arg(0)?, &arg(1)?.ints())?),
            "Squeeze" => one(squeeze(arg(0)?, &attr_list_i(node, "squeeze_dims"))?),
            "ExpandDims" => one(expand_dims(arg(0)?, arg(1)?.scalar("dim")? as i64)?),
            "Transpose" => one(transpose(arg(0)?, &arg(1)?.ints())?),
            "ConcatV2" => {
                let (axis, values) = args.split_last().ok_or("no inputs")?;
                one(concat(values, axis.scalar("axis")? as i64)?)
            }
            "Pack" => one(pack(args, attr_i(node, "axis").unwrap_or(0))?),
            "SplitV" => split_v(arg(0)?, &arg(1)?.ints(), arg(2)?.scalar("axis")? as i64),
            "Split" => {
                let n = attr_i(node, "num_split").ok_or("no num_split")?;
                let x = arg(1)?;
                let axis = norm_axis(arg(0)?.scalar("axis")? as i64, x.rank())?;
                let size = x.shape[axis] as i64;
                if n <= 0 || size % n != 0 {
                    return Err(format!("cannot split {size} into {n}"));
                }
                split_v(x, &vec![size / n; n as usize], axis as i64)
            }
            "ResizeBilinear" => {
                let size = arg(1)?.ints();
                let mode = resize_mode(node)?;
                one(resize_bilinear(arg(0)?, &size, mode)?)
            }
            "DepthToSpace" => {
                check_nhwc(node)?;
                let bs = attr_i(node, "block_size").ok_or("no block_size")?;
                one(depth_to_space(arg(0)?, bs as usize)?)
            }
            "Shape" => {
                let x = arg(0)?;
                let dtype = attr_type(node, "out_type")?.unwrap_or(DType::I32);
                let data = x.shape.iter().map(|&d| d as f64).collect();
                one(Tensor::new(vec![x.rank()], data, dtype))
            }
            "StridedSlice" => one(strided_slice(node, arg(0)?, arg(1)?, arg(2)?, arg(3)?)?),
            "Cast" => {
                let to = attr_type(node, "DstT")?.ok_or("no DstT")?;
                one(cast(arg(0)?, to))
            }
            "TopKV2" => top_k(arg(0)?, arg(1)?.scalar("k")? as usize),
            "GatherV2" => {
                if attr_i(node, "batch_dims").unwrap_or(0) != 0 {
                    return Err("batch_dims != 0 is not implemented".into());
                }
                one(gather(arg(0)?, arg(1)?, arg(2)?.scalar("axis")? as i64)?)
            }
            "SparseToDense" => one(sparse_to_dense(arg(0)?, arg(1)?, arg(2)?, arg(3)?)?),
            other => Err(format!("op '{other}' is not implemented by the reference")),
        }
    }

    /// The value of a Const node: from the weights manifest, else inline.
    fn constant(&self, node: &Node) -> Res<Tensor> {
        let declared = attr_type(node, "dtype")?;
        if let Some(w) = self.weights.get(&node.name) {
            let (data, stored): (Vec<f64>, DType) = match &w.data {
                WeightData::F32(v) => (v.iter().map(|&x| x as f64).collect(), DType::F32),
                WeightData::I32(v) => (v.iter().map(|&x| x as f64).collect(), DType::I32),
                WeightData::Bool(v) => (v.iter().map(|&x| x as u8 as f64).collect(), DType::Bool),
            };
            let count: usize = w.shape.iter().product();
            if count != data.len() {
                return Err(format!(
                    "weight has {} values for shape {:?}",
                    data.len(),
                    w.shape
                ));
            }
            return Ok(Tensor::new(
                w.shape.clone(),
                data,
                declared.unwrap_or(stored),
            ));
        }
        let tensor = node
            .attr
            .get("value")
            .and_then(|v| v.get("tensor"))
            .ok_or("constant is neither in the manifest nor inline")?;
        inline_tensor(tensor)
    }
}

// ---------------------------------------------------------------------------
// Parsing helpers

fn parse_node(raw: &Value) -> Res<Node> {
    let name = raw
        .get("name")
        .and_then(Value::as_str)
        .ok_or("node without name")?
        .to_string();
    let op = raw
        .get("op")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("node '{name}' without op"))?
        .to_string();
    let mut inputs = Vec::new();
    for input in raw
        .get("input")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let s = input
            .as_str()
            .ok_or_else(|| format!("node '{name}': bad input"))?;
        if s.starts_with('^') {
            continue;
        }
        let (base, k) = split_tensor_name(s);
        inputs.push((base.to_string(), k));
    }
    let attr = raw
        .get("attr")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Ok(Node {
        name,
        op,
        inputs,
        attr,
    })
}

/// "x:1" → ("x", 1); "x" → ("x", 0).
fn split_tensor_name(s: &str) -> (&str, usize) {
    if let Some((base, k)) = s.rsplit_once(':') {
        if let Ok(k) = k.parse::<usize>() {
            return (base, k);
        }
    }
    (s, 0)
}

/// "x:0" → "x"; "x:2" stays.
fn canonical_tensor_name(s: &str) -> String {
    match split_tensor_name(s) {
        (base, 0) => base.to_string(),
        (base, k) => format!("{base}:{k}"),
    }
}

fn json_i64(v: &Value) -> Res<i64> {
    match v {
        Value::String(s) => s.parse().map_err(|_| format!("bad integer '{s}'")),
        Value::Number(n) => n.as_i64().ok_or_else(|| format!("bad integer {n}")),
        _ => Err(format!("expected integer, got {v}")),
    }
}

fn json_f64(v: &Value) -> Res<f64> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("bad number {n}")),
        Value::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => s.parse().map_err(|_| format!("bad number '{s}'")),
        },
        _ => Err(format!("expected number, got {v}")),
    }
}

fn attr_i(node: &Node, key: &str) -> Option<i64> {
    let v = node.attr.get(key)?;
    Some(v.get("i").map(|i| json_i64(i).unwrap_or(0)).unwrap_or(0))
}

fn attr_f(node: &Node, key: &str) -> Option<f64> {
    let v = node.attr.get(key)?;
    Some(
        v.get("f")
            .map(|f| json_f64(f).unwrap_or(0.0))
            .unwrap_or(0.0),
    )
}

fn attr_b(node: &Node, key: &str) -> bool {
    node.attr
        .get(key)
        .and_then(|v| v.get("b"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn attr_s(node: &Node, key: &str) -> Res<Option<String>> {
    match node
        .attr
        .get(key)
        .and_then(|v| v.get("s"))
        .and_then(Value::as_str)
    {
        Some(b64) => Ok(Some(base64_text(b64)?)),
        None => Ok(None),
    }
}

fn attr_list_i(node: &Node, key: &str) -> Vec<i64> {
    node.attr
        .get(key)
        .and_then(|v| v.pointer("/list/i"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| json_i64(x).ok()).collect())
        .unwrap_or_default()
}

fn attr_list_s(node: &Node, key: &str) -> Res<Vec<String>> {
    let items = node
        .attr
        .get(key)
        .and_then(|v| v.pointer("/list/s"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|x| base64_text(x.as_str().ok_or("list.s entry is not a string")?))
        .collect()
}

fn attr_type(node: &Node, key: &str) -> Res<Option<DType>> {
    match node
        .attr
        .get(key)
        .and_then(|v| v.get("type"))
        .and_then(Value::as_str)
    {
        Some(t) => parse_dtype(t).map(Some),
        None => Ok(None),
    }
}

fn parse_dtype(t: &str) -> Res<DType> {
    match t {
        "DT_FLOAT" => Ok(DType::F32),
        "DT_INT32" => Ok(DType::I32),
        "DT_INT64" => Ok(DType::I64),
        "DT_BOOL" => Ok(DType::Bool),
        other => Err(format!("dtype {other} is not implemented")),
    }
}

/// Decodes standard base64 (with or without padding).
fn base64_bytes(s: &str) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return Err(format!("bad base64 '{s}'")),
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

fn base64_text(s: &str) -> Res<String> {
    String::from_utf8(base64_bytes(s)?).map_err(|_| format!("base64 '{s}' is not UTF-8"))
}

/// A TensorProto in JSON form (`dtype`, `tensorShape`, `*Val` or `tensorContent`).
fn inline_tensor(t: &Value) -> Res<Tensor> {
    let dtype = parse_dtype(
        t.get("dtype")
            .and_then(Value::as_str)
            .ok_or("tensor without dtype")?,
    )?;
    let shape: Vec<usize> = t
        .pointer("/tensorShape/dim")
        .and_then(Value::as_array)
        .map(|dims| {
            dims.iter()
                .map(|d| {
                    d.get("size")
                        .map(json_i64)
                        .unwrap_or(Ok(0))
                        .map(|s| s as usize)
                })
                .collect::<Res<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    let count: usize = shape.iter().product();
    let mut values: Vec<f64> = Vec::new();
    if let Some(content) = t.get("tensorContent").and_then(Value::as_str) {
        let bytes = base64_bytes(content)?;
        values = match dtype {
            DType::F32 => bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
                .collect(),
            DType::I32 => bytes
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
                .collect(),
            DType::I64 => bytes
                .chunks_exact(8)
                .map(|c| {
                    i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f64
                })
                .collect(),
            DType::Bool => bytes.iter().map(|&b| (b != 0) as u8 as f64).collect(),
        };
    } else {
        for key in ["floatVal", "intVal", "int64Val", "boolVal"] {
            if let Some(list) = t.get(key).and_then(Value::as_array) {
                for v in list {
                    values.push(match v {
                        Value::Bool(b) => *b as u8 as f64,
                        _ => json_f64(v)?,
                    });
                }
            }
        }
    }
    // A shorter list repeats its last value (TensorProto convention).
    if values.len() < count {
        let last = values.last().copied().unwrap_or(0.0);
        values.resize(count, last);
    }
    if values.len() != count {
        return Err(format!(
            "inline tensor has {} values for shape {shape:?}",
            values.len()
        ));
    }
    Ok(Tensor::new(shape, values, dtype))
}

fn round_to_f32(data: &mut [f64]) {
    for v in data {
        *v = *v as f32 as f64;
    }
}

fn norm_axis(axis: i64, rank: usize) -> Res<usize> {
    let a = if axis < 0 { axis + rank as i64 } else { axis };
    if a < 0 || a >= rank as i64 {
        return Err(format!("axis {axis} out of range for rank {rank}"));
    }
    Ok(a as usize)
}

fn strides_of(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

fn check_nhwc(node: &Node) -> Res<()> {
    match attr_s(node, "data_format")? {
        None => Ok(()),
        Some(f) if f == "NHWC" => Ok(()),
        Some(f) => Err(format!("data_format {f} is not implemented")),
    }
}

// ---------------------------------------------------------------------------
// Convolution, matmul, pooling

/// Padding of one spatial axis and its output size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxisWindow {
    /// Input cells added before the first one.
    pub pad_before: usize,
    /// Output size.
    pub out: usize,
}

/// TF's window arithmetic for one axis: `SAME` pads
/// max((ceil(in/s)-1)*s + (k-1)*d + 1 - in, 0) cells, the smaller half first.
pub fn window(
    padding: &str,
    explicit: (usize, usize),
    size: usize,
    k: usize,
    s: usize,
    d: usize,
) -> Res<AxisWindow> {
    let eff = (k - 1) * d + 1;
    match padding {
        "SAME" => {
            let out = size.div_ceil(s);
            let total = ((out - 1) * s + eff).saturating_sub(size);
            Ok(AxisWindow {
                pad_before: total / 2,
                out,
            })
        }
        "VALID" => {
            if size < eff {
                return Err(format!("window {eff} larger than input {size}"));
            }
            Ok(AxisWindow {
                pad_before: 0,
                out: (size - eff) / s + 1,
            })
        }
        "EXPLICIT" => {
            let padded = size + explicit.0 + explicit.1;
            if padded < eff {
                return Err(format!("window {eff} larger than padded input {padded}"));
            }
            Ok(AxisWindow {
                pad_before: explicit.0,
                out: (padded - eff) / s + 1,
            })
        }
        other => Err(format!("padding {other} is not implemented")),
    }
}

/// Spatial parameters of a conv or pool node on an NHWC input.
struct Spatial {
    rows: AxisWindow,
    cols: AxisWindow,
    stride: (usize, usize),
    dilation: (usize, usize),
}

fn spatial(node: &Node, x: &Tensor, kh: usize, kw: usize) -> Res<Spatial> {
    check_nhwc(node)?;
    if x.rank() != 4 {
        return Err(format!("input must be NHWC, has shape {:?}", x.shape));
    }
    let strides = attr_list_i(node, "strides");
    let strides = if strides.is_empty() {
        vec![1, 1, 1, 1]
    } else {
        strides
    };
    let dil = attr_list_i(node, "dilations");
    let dil = if dil.is_empty() {
        vec![1, 1, 1, 1]
    } else {
        dil
    };
    if strides.len() != 4
        || dil.len() != 4
        || strides[1] < 1
        || strides[2] < 1
        || dil[1] < 1
        || dil[2] < 1
    {
        return Err(format!("bad strides {strides:?} / dilations {dil:?}"));
    }
    let padding = attr_s(node, "padding")?.ok_or("no padding")?;
    let ep = attr_list_i(node, "explicit_paddings");
    let ep_at = |i: usize| ep.get(i).copied().unwrap_or(0).max(0) as usize;
    let (sh, sw) = (strides[1] as usize, strides[2] as usize);
    let (dh, dw) = (dil[1] as usize, dil[2] as usize);
    Ok(Spatial {
        rows: window(&padding, (ep_at(2), ep_at(3)), x.shape[1], kh, sh, dh)?,
        cols: window(&padding, (ep_at(4), ep_at(5)), x.shape[2], kw, sw, dw)?,
        stride: (sh, sw),
        dilation: (dh, dw),
    })
}

/// Input row/col for output position `o` and kernel tap `k`, if inside.
fn tap(o: usize, k: usize, s: usize, d: usize, pad: usize, size: usize) -> Option<usize> {
    let pos = (o * s + k * d) as i64 - pad as i64;
    if pos < 0 || pos >= size as i64 {
        None
    } else {
        Some(pos as usize)
    }
}

fn conv_node(node: &Node, x: &Tensor, w: &Tensor, depthwise: bool) -> Res<Tensor> {
    if w.rank() != 4 {
        return Err(format!("filter must be HWIO, has shape {:?}", w.shape));
    }
    if w.shape[2] != x.shape.get(3).copied().unwrap_or(0) {
        return Err(format!(
            "filter {:?} does not fit input {:?}",
            w.shape, x.shape
        ));
    }
    let sp = spatial(node, x, w.shape[0], w.shape[1])?;
    Ok(if depthwise {
        depthwise_conv2d(x, w, &sp)
    } else {
        conv2d(x, w, &sp)
    })
}

/// Plain NHWC convolution with HWIO filter, f64 accumulation.
fn conv2d(x: &Tensor, w: &Tensor, sp: &Spatial) -> Tensor {
    let (n, h, wd, cin) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
    let (kh, kw, cout) = (w.shape[0], w.shape[1], w.shape[3]);
    let (oh, ow) = (sp.rows.out, sp.cols.out);
    let mut out = vec![0.0; n * oh * ow * cout];
    let mut acc = vec![0.0f64; cout];
    for b in 0..n {
        for oy in 0..oh {
            for ox in 0..ow {
                acc.iter_mut().for_each(|a| *a = 0.0);
                for ky in 0..kh {
                    let Some(iy) = tap(oy, ky, sp.stride.0, sp.dilation.0, sp.rows.pad_before, h)
                    else {
                        continue;
                    };
                    for kx in 0..kw {
                        let Some(ix) =
                            tap(ox, kx, sp.stride.1, sp.dilation.1, sp.cols.pad_before, wd)
                        else {
                            continue;
                        };
                        let px = &x.data[((b * h + iy) * wd + ix) * cin..][..cin];
                        let wbase = &w.data[(ky * kw + kx) * cin * cout..][..cin * cout];
                        for (ci, &v) in px.iter().enumerate() {
                            if v == 0.0 {
                                continue;
                            }
                            let wrow = &wbase[ci * cout..][..cout];
                            for (a, &wv) in acc.iter_mut().zip(wrow) {
                                *a += v * wv;
                            }
                        }
                    }
                }
                out[((b * oh + oy) * ow + ox) * cout..][..cout].copy_from_slice(&acc);
            }
        }
    }
    Tensor::f32(vec![n, oh, ow, cout], out)
}

/// NHWC depthwise convolution; filter [kh, kw, cin, mult], output channel
/// `c * mult + m`.
fn depthwise_conv2d(x: &Tensor, w: &Tensor, sp: &Spatial) -> Tensor {
    let (n, h, wd, cin) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
    let (kh, kw, mult) = (w.shape[0], w.shape[1], w.shape[3]);
    let cout = cin * mult;
    let (oh, ow) = (sp.rows.out, sp.cols.out);
    let mut out = vec![0.0; n * oh * ow * cout];
    let mut acc = vec![0.0f64; cout];
    for b in 0..n {
        for oy in 0..oh {
            for ox in 0..ow {
                acc.iter_mut().for_each(|a| *a = 0.0);
                for ky in 0..kh {
                    let Some(iy) = tap(oy, ky, sp.stride.0, sp.dilation.0, sp.rows.pad_before, h)
                    else {
                        continue;
                    };
                    for kx in 0..kw {
                        let Some(ix) =
                            tap(ox, kx, sp.stride.1, sp.dilation.1, sp.cols.pad_before, wd)
                        else {
                            continue;
                        };
                        let px = &x.data[((b * h + iy) * wd + ix) * cin..][..cin];
                        let wrow = &w.data[(ky * kw + kx) * cout..][..cout];
                        for c in 0..cin {
                            for m in 0..mult {
                                acc[c * mult + m] += px[c] * wrow[c * mult + m];
                            }
                        }
                    }
                }
                out[((b * oh + oy) * ow + ox) * cout..][..cout].copy_from_slice(&acc);
            }
        }
    }
    Tensor::f32(vec![n, oh, ow, cout], out)
}

fn matmul_node(node: &Node, a: &Tensor, b: &Tensor) -> Res<Tensor> {
    if a.rank() != 2 || b.rank() != 2 {
        return Err(format!(
            "MatMul needs 2-D inputs, got {:?} and {:?}",
            a.shape, b.shape
        ));
    }
    let ta = attr_b(node, "transpose_a");
    let tb = attr_b(node, "transpose_b");
    let (m, k) = if ta {
        (a.shape[1], a.shape[0])
    } else {
        (a.shape[0], a.shape[1])
    };
    let (k2, n) = if tb {
        (b.shape[1], b.shape[0])
    } else {
        (b.shape[0], b.shape[1])
    };
    if k != k2 {
        return Err(format!(
            "MatMul inner sizes differ: {:?} x {:?}",
            a.shape, b.shape
        ));
    }
    let at = |i: usize, p: usize| {
        if ta {
            a.data[p * m + i]
        } else {
            a.data[i * k + p]
        }
    };
    let bt = |p: usize, j: usize| {
        if tb {
            b.data[j * k + p]
        } else {
            b.data[p * n + j]
        }
    };
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0f64;
            for p in 0..k {
                acc += at(i, p) * bt(p, j);
            }
            out[i * n + j] = acc;
        }
    }
    Ok(Tensor::f32(vec![m, n], out))
}

/// `f(value, vector[channel])` over the last axis.
fn add_channel_vector(y: &mut Tensor, v: &Tensor, f: impl Fn(f64, f64) -> f64) -> Res<()> {
    let c = *y.shape.last().ok_or("scalar input")?;
    if v.data.len() != c {
        return Err(format!("vector of {} for {c} channels", v.data.len()));
    }
    for (i, x) in y.data.iter_mut().enumerate() {
        *x = f(*x, v.data[i % c]);
    }
    Ok(())
}

/// Grappler's fused epilogue: `BiasAdd` or `FusedBatchNorm`, then an
/// optional activation (`Relu`, `Relu6`, `Elu`, `LeakyRelu`, `Prelu`,
/// `Sigmoid`, `Tanh`).
fn apply_fused_ops(node: &Node, y: &mut Tensor, args: &[&Tensor]) -> Res<()> {
    let ops = attr_list_s(node, "fused_ops")?;
    let mut next = 0;
    let mut take = || -> Res<&Tensor> {
        let t = args.get(next).copied().ok_or("fused op argument missing")?;
        next += 1;
        Ok(t)
    };
    for op in &ops {
        match op.as_str() {
            "BiasAdd" => add_channel_vector(y, take()?, |v, b| v + b)?,
            "FusedBatchNorm" => {
                let (scale, offset, mean, var) = (take()?, take()?, take()?, take()?);
                let eps = attr_f(node, "epsilon").unwrap_or(0.0);
                let c = *y.shape.last().ok_or("scalar input")?;
                for t in [scale, offset, mean, var] {
                    if t.data.len() != c {
                        return Err("batch norm vector size mismatch".into());
                    }
                }
                for (i, v) in y.data.iter_mut().enumerate() {
                    let ch = i % c;
                    *v = (*v - mean.data[ch]) * scale.data[ch] / (var.data[ch] + eps).sqrt()
                        + offset.data[ch];
                }
            }
            "Prelu" => add_channel_vector(y, take()?, |v, a| if v < 0.0 { v * a } else { v })?,
            "LeakyRelu" => {
                let alpha = attr_f(node, "leakyrelu_alpha").unwrap_or(0.2);
                for v in &mut y.data {
                    *v = activation("LeakyRelu", *v, alpha)?;
                }
            }
            "Relu" | "Relu6" | "Elu" | "Sigmoid" | "Tanh" => {
                for v in &mut y.data {
                    *v = activation(op, *v, 0.0)?;
                }
            }
            other => return Err(format!("fused op '{other}' is not implemented")),
        }
    }
    Ok(())
}

fn pool_node(node: &Node, x: &Tensor, max: bool) -> Res<Tensor> {
    let k = attr_list_i(node, "ksize");
    if k.len() != 4 || k[0] != 1 || k[3] != 1 || k[1] < 1 || k[2] < 1 {
        return Err(format!("ksize {k:?} is not implemented"));
    }
    let (kh, kw) = (k[1] as usize, k[2] as usize);
    let sp = spatial(node, x, kh, kw)?;
    let (n, h, wd, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
    let (oh, ow) = (sp.rows.out, sp.cols.out);
    let mut out = vec![0.0; n * oh * ow * c];
    let mut acc = vec![0.0f64; c];
    for b in 0..n {
        for oy in 0..oh {
            for ox in 0..ow {
                acc.iter_mut()
                    .for_each(|a| *a = if max { f64::NEG_INFINITY } else { 0.0 });
                let mut count = 0usize;
                for ky in 0..kh {
                    let Some(iy) = tap(oy, ky, sp.stride.0, 1, sp.rows.pad_before, h) else {
                        continue;
                    };
                    for kx in 0..kw {
                        let Some(ix) = tap(ox, kx, sp.stride.1, 1, sp.cols.pad_before, wd) else {
                            continue;
                        };
                        count += 1;
                        let px = &x.data[((b * h + iy) * wd + ix) * c..][..c];
                        for (a, &v) in acc.iter_mut().zip(px) {
                            *a = if max { a.max(v) } else { *a + v };
                        }
                    }
                }
                if !max {
                    // AvgPool divides by the cells inside the input only.
                    acc.iter_mut().for_each(|a| *a /= count.max(1) as f64);
                }
                out[((b * oh + oy) * ow + ox) * c..][..c].copy_from_slice(&acc);
            }
        }
    }
    Ok(Tensor::f32(vec![n, oh, ow, c], out))
}

// ---------------------------------------------------------------------------
// Elementwise

fn activation(op: &str, v: f64, alpha: f64) -> Res<f64> {
    Ok(match op {
        "Relu" => v.max(0.0),
        "Relu6" => v.clamp(0.0, 6.0),
        "LeakyRelu" => {
            if v < 0.0 {
                v * alpha
            } else {
                v
            }
        }
        "Elu" => {
            if v < 0.0 {
                v.exp() - 1.0
            } else {
                v
            }
        }
        "Sigmoid" => 1.0 / (1.0 + (-v).exp()),
        "Tanh" => v.tanh(),
        "Neg" => -v,
        "Exp" => v.exp(),
        "Sqrt" => v.sqrt(),
        "Rsqrt" => 1.0 / v.sqrt(),
        "Square" => v * v,
        "Abs" => v.abs(),
        other => return Err(format!("activation '{other}' is not implemented")),
    })
}

/// Numpy-style broadcast shape of two shapes.
fn broadcast_shape(a: &[usize], b: &[usize]) -> Res<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    for i in 0..rank {
        let da = if i + a.len() >= rank {
            a[i + a.len() - rank]
        } else {
            1
        };
        let db = if i + b.len() >= rank {
            b[i + b.len() - rank]
        } else {
            1
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return Err(format!("shapes {a:?} and {b:?} do not broadcast")),
        };
    }
    Ok(out)
}

/// Strides of `shape` viewed in `out` (0 along broadcast axes).
fn broadcast_strides(shape: &[usize], out: &[usize]) -> Vec<usize> {
    let own = strides_of(shape);
    let lead = out.len() - shape.len();
    (0..out.len())
        .map(|i| {
            if i < lead || shape[i - lead] == 1 {
                0
            } else {
                own[i - lead]
            }
        })
        .collect()
}

/// `f(a, b)` elementwise with broadcasting.
fn zip_broadcast(
    a: &Tensor,
    b: &Tensor,
    dtype: DType,
    f: impl Fn(f64, f64) -> Res<f64>,
) -> Res<Tensor> {
    let shape = broadcast_shape(&a.shape, &b.shape)?;
    let sa = broadcast_strides(&a.shape, &shape);
    let sb = broadcast_strides(&b.shape, &shape);
    let total: usize = shape.iter().product();
    let mut data = Vec::with_capacity(total);
    let mut idx = vec![0usize; shape.len()];
    let (mut ia, mut ib) = (0usize, 0usize);
    for _ in 0..total {
        data.push(f(a.data[ia], b.data[ib])?);
        for d in (0..shape.len()).rev() {
            idx[d] += 1;
            ia += sa[d];
            ib += sb[d];
            if idx[d] < shape[d] {
                break;
            }
            ia -= sa[d] * shape[d];
            ib -= sb[d] * shape[d];
            idx[d] = 0;
        }
    }
    Ok(Tensor::new(shape, data, dtype))
}

fn binary(op: &str, a: &Tensor, b: &Tensor) -> Res<Tensor> {
    if a.dtype != b.dtype {
        return Err(format!(
            "operand types differ: {:?} vs {:?}",
            a.dtype, b.dtype
        ));
    }
    let int = a.dtype != DType::F32;
    zip_broadcast(a, b, a.dtype, |x, y| {
        Ok(match op {
            "Add" | "AddV2" => x + y,
            "Sub" => x - y,
            "Mul" => x * y,
            "RealDiv" => x / y,
            "Div" if int => {
                if y == 0.0 {
                    return Err("integer division by zero".into());
                }
                (x / y).trunc()
            }
            "Div" => x / y,
            "Minimum" => x.min(y),
            "Maximum" => x.max(y),
            "FloorDiv" => {
                if int && y == 0.0 {
                    return Err("integer division by zero".into());
                }
                (x / y).floor()
            }
            "FloorMod" => {
                if int && y == 0.0 {
                    return Err("integer division by zero".into());
                }
                x - (x / y).floor() * y
            }
            "SquaredDifference" => (x - y) * (x - y),
            "Pow" => x.powf(y),
            other => return Err(format!("binary op '{other}' is not implemented")),
        })
    })
}

fn compare(op: &str, a: &Tensor, b: &Tensor) -> Res<Tensor> {
    zip_broadcast(a, b, DType::Bool, |x, y| {
        let r = match op {
            "Equal" => x == y,
            "NotEqual" => x != y,
            "Greater" => x > y,
            "GreaterEqual" => x >= y,
            "Less" => x < y,
            "LessEqual" => x <= y,
            other => return Err(format!("comparison '{other}' is not implemented")),
        };
        Ok(r as u8 as f64)
    })
}

fn cast(x: &Tensor, to: DType) -> Tensor {
    let data = x
        .data
        .iter()
        .map(|&v| match to {
            DType::F32 => v,
            DType::I32 | DType::I64 => v.trunc(),
            DType::Bool => (v != 0.0) as u8 as f64,
        })
        .collect();
    Tensor::new(x.shape.clone(), data, to)
}

/// Softmax over the last axis.
fn softmax(x: &Tensor) -> Res<Tensor> {
    let c = *x.shape.last().ok_or("softmax of a scalar")?;
    let mut out = x.clone();
    for row in out.data.chunks_mut(c) {
        let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = row.iter().map(|v| (v - max).exp()).sum();
        for v in row.iter_mut() {
            *v = (*v - max).exp() / sum;
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Shape and data movement

fn pad(x: &Tensor, paddings: &Tensor, value: f64) -> Res<Tensor> {
    let p = paddings.ints();
    if p.len() != 2 * x.rank() || p.iter().any(|&v| v < 0) {
        return Err(format!("paddings {p:?} for shape {:?}", x.shape));
    }
    let shape: Vec<usize> = (0..x.rank())
        .map(|d| x.shape[d] + (p[2 * d] + p[2 * d + 1]) as usize)
        .collect();
    let total: usize = shape.iter().product();
    let mut data = vec![value; total];
    let out_strides = strides_of(&shape);
    let mut idx = vec![0usize; x.rank()];
    for &v in &x.data {
        let pos: usize = (0..x.rank())
            .map(|d| (idx[d] + p[2 * d] as usize) * out_strides[d])
            .sum();
        data[pos] = v;
        advance(&mut idx, &x.shape);
    }
    Ok(Tensor::new(shape, data, x.dtype))
}

/// Next row-major multi-index.
fn advance(idx: &mut [usize], shape: &[usize]) {
    for d in (0..shape.len()).rev() {
        idx[d] += 1;
        if idx[d] < shape[d] {
            return;
        }
        idx[d] = 0;
    }
}

fn reduce(op: &str, x: &Tensor, axes: &[i64], keep: bool) -> Res<Tensor> {
    let mut reduced = vec![false; x.rank()];
    for &a in axes {
        reduced[norm_axis(a, x.rank())?] = true;
    }
    let out_full: Vec<usize> = (0..x.rank())
        .map(|d| if reduced[d] { 1 } else { x.shape[d] })
        .collect();
    let count: usize = (0..x.rank())
        .filter(|&d| reduced[d])
        .map(|d| x.shape[d])
        .product();
    let total: usize = out_full.iter().product();
    let init = match op {
        "Max" => f64::NEG_INFINITY,
        "Min" => f64::INFINITY,
        "Prod" => 1.0,
        _ => 0.0,
    };
    let mut acc = vec![init; total];
    let os = strides_of(&out_full);
    let mut idx = vec![0usize; x.rank()];
    for &v in &x.data {
        let pos: usize = (0..x.rank())
            .map(|d| if reduced[d] { 0 } else { idx[d] * os[d] })
            .sum();
        let a = &mut acc[pos];
        *a = match op {
            "Max" => a.max(v),
            "Min" => a.min(v),
            "Prod" => *a * v,
            _ => *a + v,
        };
        advance(&mut idx, &x.shape);
    }
    if op == "Mean" {
        acc.iter_mut().for_each(|a| *a /= count.max(1) as f64);
    }
    let shape = if keep {
        out_full
    } else {
        (0..x.rank())
            .filter(|&d| !reduced[d])
            .map(|d| x.shape[d])
            .collect()
    };
    Ok(Tensor::new(shape, acc, x.dtype))
}

fn reshape(x: &Tensor, dims: &[i64]) -> Res<Tensor> {
    let total = x.data.len();
    let known: i64 = dims.iter().filter(|&&d| d != -1).product();
    let unknown = dims.iter().filter(|&&d| d == -1).count();
    let shape: Vec<usize> = match unknown {
        0 => dims.iter().map(|&d| d as usize).collect(),
        1 if known > 0 && total as i64 % known == 0 => dims
            .iter()
            .map(|&d| {
                if d == -1 {
                    (total as i64 / known) as usize
                } else {
                    d as usize
                }
            })
            .collect(),
        _ => return Err(format!("cannot reshape {:?} to {dims:?}", x.shape)),
    };
    if dims.iter().any(|&d| d < -1) || shape.iter().product::<usize>() != total {
        return Err(format!("cannot reshape {:?} to {dims:?}", x.shape));
    }
    Ok(Tensor::new(shape, x.data.clone(), x.dtype))
}

fn squeeze(x: &Tensor, dims: &[i64]) -> Res<Tensor> {
    let mut drop = vec![false; x.rank()];
    if dims.is_empty() {
        drop = x.shape.iter().map(|&size| size == 1).collect();
    } else {
        for &d in dims {
            let a = norm_axis(d, x.rank())?;
            if x.shape[a] != 1 {
                return Err(format!("cannot squeeze axis {a} of {:?}", x.shape));
            }
            drop[a] = true;
        }
    }
    let shape = (0..x.rank())
        .filter(|&d| !drop[d])
        .map(|d| x.shape[d])
        .collect();
    Ok(Tensor::new(shape, x.data.clone(), x.dtype))
}

fn expand_dims(x: &Tensor, dim: i64) -> Res<Tensor> {
    let a = norm_axis(dim, x.rank() + 1)?;
    let mut shape = x.shape.clone();
    shape.insert(a, 1);
    Ok(Tensor::new(shape, x.data.clone(), x.dtype))
}

fn transpose(x: &Tensor, perm: &[i64]) -> Res<Tensor> {
    let rank = x.rank();
    let mut seen = vec![false; rank];
    for &p in perm {
        if p < 0 || p as usize >= rank || seen[p as usize] {
            return Err(format!("bad permutation {perm:?} for rank {rank}"));
        }
        seen[p as usize] = true;
    }
    if perm.len() != rank {
        return Err(format!("bad permutation {perm:?} for rank {rank}"));
    }
    let shape: Vec<usize> = perm.iter().map(|&p| x.shape[p as usize]).collect();
    let in_strides = strides_of(&x.shape);
    let mut data = Vec::with_capacity(x.data.len());
    let mut idx = vec![0usize; rank];
    for _ in 0..x.data.len() {
        let pos: usize = (0..rank)
            .map(|d| idx[d] * in_strides[perm[d] as usize])
            .sum();
        data.push(x.data[pos]);
        advance(&mut idx, &shape);
    }
    Ok(Tensor::new(shape, data, x.dtype))
}

fn concat(values: &[&Tensor], axis: i64) -> Res<Tensor> {
    let first = values.first().ok_or("concat of nothing")?;
    let a = norm_axis(axis, first.rank())?;
    for v in values {
        let same = v.rank() == first.rank()
            && (0..first.rank()).all(|d| d == a || v.shape[d] == first.shape[d]);
        if !same {
            return Err(format!(
                "cannot concat {:?} with {:?} on axis {a}",
                first.shape, v.shape
            ));
        }
    }
    let outer: usize = first.shape[..a].iter().product();
    let mut shape = first.shape.clone();
    shape[a] = values.iter().map(|v| v.shape[a]).sum();
    let mut data = Vec::with_capacity(shape.iter().product());
    for o in 0..outer {
        for v in values {
            let chunk: usize = v.shape[a..].iter().product();
            data.extend_from_slice(&v.data[o * chunk..][..chunk]);
        }
    }
    Ok(Tensor::new(shape, data, first.dtype))
}

fn pack(values: &[&Tensor], axis: i64) -> Res<Tensor> {
    let first = values.first().ok_or("pack of nothing")?;
    let a = norm_axis(axis, first.rank() + 1)?;
    let expanded: Vec<Tensor> = values
        .iter()
        .map(|v| expand_dims(v, a as i64))
        .collect::<Res<_>>()?;
    concat(&expanded.iter().collect::<Vec<_>>(), a as i64)
}

fn split_v(x: &Tensor, sizes: &[i64], axis: i64) -> Res<Vec<Tensor>> {
    let a = norm_axis(axis, x.rank())?;
    let known: i64 = sizes.iter().filter(|&&s| s >= 0).sum();
    let sizes: Vec<usize> = sizes
        .iter()
        .map(|&s| {
            if s < 0 {
                (x.shape[a] as i64 - known) as usize
            } else {
                s as usize
            }
        })
        .collect();
    if sizes.iter().sum::<usize>() != x.shape[a] {
        return Err(format!(
            "split sizes {sizes:?} do not cover axis {a} of {:?}",
            x.shape
        ));
    }
    let outer: usize = x.shape[..a].iter().product();
    let inner: usize = x.shape[a + 1..].iter().product();
    let mut outs = Vec::new();
    let mut start = 0;
    for &s in &sizes {
        let mut shape = x.shape.clone();
        shape[a] = s;
        let mut data = Vec::with_capacity(outer * s * inner);
        for o in 0..outer {
            let base = (o * x.shape[a] + start) * inner;
            data.extend_from_slice(&x.data[base..base + s * inner]);
        }
        outs.push(Tensor::new(shape, data, x.dtype));
        start += s;
    }
    Ok(outs)
}

/// How ResizeBilinear maps output to input coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ResizeMode {
    /// Corners of input and output align: src = dst·(in-1)/(out-1).
    AlignCorners,
    /// src = (dst+0.5)·in/out − 0.5.
    HalfPixel,
    /// Legacy TF: src = dst·in/out.
    Asymmetric,
}

fn resize_mode(node: &Node) -> Res<ResizeMode> {
    match (
        attr_b(node, "align_corners"),
        attr_b(node, "half_pixel_centers"),
    ) {
        (true, false) => Ok(ResizeMode::AlignCorners),
        (false, true) => Ok(ResizeMode::HalfPixel),
        (false, false) => Ok(ResizeMode::Asymmetric),
        (true, true) => Err("align_corners with half_pixel_centers".into()),
    }
}

/// TF's per-axis interpolation: (lower, upper, lerp) for every output index,
/// computed in f32 like `compute_interpolation_weights`.
pub fn resize_weights(input: usize, output: usize, mode: ResizeMode) -> Vec<(usize, usize, f64)> {
    let scale: f32 = match mode {
        ResizeMode::AlignCorners if output > 1 => (input as f32 - 1.0) / (output as f32 - 1.0),
        ResizeMode::AlignCorners => 0.0,
        _ => input as f32 / output as f32,
    };
    (0..output)
        .map(|i| {
            let src: f32 = match mode {
                ResizeMode::HalfPixel => (i as f32 + 0.5) * scale - 0.5,
                _ => i as f32 * scale,
            };
            let floor = src.floor();
            let lower = (floor as i64).max(0) as usize;
            let upper = (src.ceil() as i64).min(input as i64 - 1).max(0) as usize;
            (lower.min(input - 1), upper, (src - floor) as f64)
        })
        .collect()
}

fn resize_bilinear(x: &Tensor, size: &[i64], mode: ResizeMode) -> Res<Tensor> {
    if x.rank() != 4 || size.len() != 2 || size.iter().any(|&s| s < 1) {
        return Err(format!("resize of {:?} to {size:?}", x.shape));
    }
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
    let (oh, ow) = (size[0] as usize, size[1] as usize);
    let ys = resize_weights(h, oh, mode);
    let xs = resize_weights(w, ow, mode);
    let mut data = Vec::with_capacity(n * oh * ow * c);
    let at = |b: usize, y: usize, xx: usize, ch: usize| x.data[((b * h + y) * w + xx) * c + ch];
    for b in 0..n {
        for &(y0, y1, ly) in &ys {
            for &(x0, x1, lx) in &xs {
                for ch in 0..c {
                    let top = at(b, y0, x0, ch) + (at(b, y0, x1, ch) - at(b, y0, x0, ch)) * lx;
                    let bottom = at(b, y1, x0, ch) + (at(b, y1, x1, ch) - at(b, y1, x0, ch)) * lx;
                    data.push(top + (bottom - top) * ly);
                }
            }
        }
    }
    Ok(Tensor::f32(vec![n, oh, ow, c], data))
}

/// NHWC DepthToSpace: out[n, h·b+i, w·b+j, c] = in[n, h, w, (i·b+j)·C + c].
fn depth_to_space(x: &Tensor, bs: usize) -> Res<Tensor> {
    if x.rank() != 4 || bs == 0 || !x.shape[3].is_multiple_of(bs * bs) {
        return Err(format!("DepthToSpace {bs} of {:?}", x.shape));
    }
    let (n, h, w, cin) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
    let c = cin / (bs * bs);
    let shape = vec![n, h * bs, w * bs, c];
    let mut data = vec![0.0; x.data.len()];
    for b in 0..n {
        for y in 0..h * bs {
            for xx in 0..w * bs {
                for ch in 0..c {
                    let src_c = ((y % bs) * bs + xx % bs) * c + ch;
                    let src = ((b * h + y / bs) * w + xx / bs) * cin + src_c;
                    data[((b * h * bs + y) * w * bs + xx) * c + ch] = x.data[src];
                }
            }
        }
    }
    Ok(Tensor::new(shape, data, x.dtype))
}

/// One input axis of a strided slice: first index, step and count.
struct SliceAxis {
    start: i64,
    step: i64,
    count: usize,
}

fn strided_slice(
    node: &Node,
    x: &Tensor,
    begin: &Tensor,
    end: &Tensor,
    strides: &Tensor,
) -> Res<Tensor> {
    let (b, e, s) = (begin.ints(), end.ints(), strides.ints());
    if b.len() != e.len() || b.len() != s.len() {
        return Err("begin/end/strides lengths differ".into());
    }
    let mask = |k: &str| attr_i(node, k).unwrap_or(0);
    let (bm, em, elm, nam, sam) = (
        mask("begin_mask"),
        mask("end_mask"),
        mask("ellipsis_mask"),
        mask("new_axis_mask"),
        mask("shrink_axis_mask"),
    );
    let bit = |m: i64, i: usize| m & (1 << i) != 0;
    let rank = x.rank();
    let real = (0..b.len())
        .filter(|&i| !bit(elm, i) && !bit(nam, i))
        .count();
    let mut axes: Vec<SliceAxis> = Vec::new();
    // Output shape plan: Some(size) for kept/new axes, shrunk axes omitted.
    let mut out_shape: Vec<usize> = Vec::new();
    let full = |size: usize| SliceAxis {
        start: 0,
        step: 1,
        count: size,
    };
    for i in 0..b.len() {
        if bit(elm, i) {
            let covered = rank.checked_sub(real).ok_or("too many slice entries")?;
            for _ in 0..covered {
                let size = x.shape[axes.len()];
                axes.push(full(size));
                out_shape.push(size);
            }
            continue;
        }
        if bit(nam, i) {
            out_shape.push(1);
            continue;
        }
        let d = axes.len();
        let size = *x
            .shape
            .get(d)
            .ok_or("slice has more entries than the input has axes")? as i64;
        let step = s[i];
        if step == 0 {
            return Err("stride 0".into());
        }
        if bit(sam, i) {
            let idx = if b[i] < 0 { b[i] + size } else { b[i] };
            if idx < 0 || idx >= size {
                return Err(format!(
                    "shrink index {} out of range for size {size}",
                    b[i]
                ));
            }
            axes.push(SliceAxis {
                start: idx,
                step: 1,
                count: 1,
            });
            continue;
        }
        let norm = |v: i64| if v < 0 { v + size } else { v };
        let (lo, hi) = if step > 0 { (0, size) } else { (-1, size - 1) };
        let start = if bit(bm, i) {
            if step > 0 {
                lo
            } else {
                hi
            }
        } else {
            norm(b[i]).clamp(lo, hi)
        };
        let stop = if bit(em, i) {
            if step > 0 {
                hi
            } else {
                lo
            }
        } else {
            norm(e[i]).clamp(lo, hi)
        };
        let span = stop - start;
        let count = if (span > 0) == (step > 0) && span != 0 {
            ((span.abs() + step.abs() - 1) / step.abs()) as usize
        } else {
            0
        };
        axes.push(SliceAxis { start, step, count });
        out_shape.push(count);
    }
    while axes.len() < rank {
        let size = x.shape[axes.len()];
        axes.push(full(size));
        out_shape.push(size);
    }
    let counts: Vec<usize> = axes.iter().map(|a| a.count).collect();
    let total: usize = counts.iter().product();
    let in_strides = strides_of(&x.shape);
    let mut data = Vec::with_capacity(total);
    let mut idx = vec![0usize; rank];
    for _ in 0..total {
        let pos: i64 = (0..rank)
            .map(|d| (axes[d].start + idx[d] as i64 * axes[d].step) * in_strides[d] as i64)
            .sum();
        data.push(x.data[pos as usize]);
        advance(&mut idx, &counts);
    }
    Ok(Tensor::new(out_shape, data, x.dtype))
}

/// Top `k` of the last axis, largest first; ties keep the lower index first.
fn top_k(x: &Tensor, k: usize) -> Res<Vec<Tensor>> {
    let n = *x.shape.last().ok_or("TopK of a scalar")?;
    if k > n {
        return Err(format!("k = {k} > {n}"));
    }
    let rows = x.data.len() / n.max(1);
    let mut values = Vec::with_capacity(rows * k);
    let mut indices = Vec::with_capacity(rows * k);
    for row in x.data.chunks(n) {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
        for &i in &order[..k] {
            values.push(row[i]);
            indices.push(i as f64);
        }
    }
    let mut shape = x.shape.clone();
    *shape.last_mut().ok_or("TopK of a scalar")? = k;
    Ok(vec![
        Tensor::new(shape.clone(), values, x.dtype),
        Tensor::new(shape, indices, DType::I32),
    ])
}

fn gather(params: &Tensor, indices: &Tensor, axis: i64) -> Res<Tensor> {
    let a = norm_axis(axis, params.rank())?;
    let outer: usize = params.shape[..a].iter().product();
    let inner: usize = params.shape[a + 1..].iter().product();
    let size = params.shape[a];
    let mut shape = params.shape[..a].to_vec();
    shape.extend_from_slice(&indices.shape);
    shape.extend_from_slice(&params.shape[a + 1..]);
    let mut data = Vec::with_capacity(shape.iter().product());
    for o in 0..outer {
        for &i in &indices.data {
            if i < 0.0 || i as usize >= size {
                return Err(format!("gather index {i} out of range 0..{size}"));
            }
            let base = (o * size + i as usize) * inner;
            data.extend_from_slice(&params.data[base..base + inner]);
        }
    }
    Ok(Tensor::new(shape, data, params.dtype))
}

fn sparse_to_dense(
    indices: &Tensor,
    shape: &Tensor,
    values: &Tensor,
    default: &Tensor,
) -> Res<Tensor> {
    let dims: Vec<usize> = shape.ints().iter().map(|&d| d.max(0) as usize).collect();
    let total: usize = dims.iter().product();
    let mut data = vec![default.scalar("default value")?; total];
    let rank = dims.len();
    let idx = indices.ints();
    let per = if indices.rank() == 2 {
        indices.shape[1]
    } else {
        1
    };
    if per != rank.max(1) {
        return Err(format!(
            "indices {:?} for output rank {rank}",
            indices.shape
        ));
    }
    let count = if indices.rank() == 0 {
        1
    } else {
        indices.shape[0]
    };
    let strides = strides_of(&dims);
    for n in 0..count {
        let mut pos = 0usize;
        for d in 0..rank {
            let v = idx[n * per + d];
            if v < 0 || v as usize >= dims[d] {
                return Err(format!("sparse index {v} out of range"));
            }
            pos += v as usize * strides[d];
        }
        let value = if values.data.len() == 1 {
            values.data[0]
        } else {
            values.data[n]
        };
        data[pos] = value;
    }
    Ok(Tensor::new(dims, data, values.dtype))
}

// ---------------------------------------------------------------------------
// Unit tests of the interpreter's arithmetic against hand-computed values.

#[cfg(test)]
mod tests {
    use super::*;

    fn node(op: &str, attrs: Value) -> Node {
        Node {
            name: "n".into(),
            op: op.into(),
            inputs: vec![],
            attr: attrs.as_object().cloned().unwrap_or_default(),
        }
    }

    fn b64(s: &str) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let bytes = s.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let v = (chunk[0] as u32) << 16
                | (*chunk.get(1).unwrap_or(&0) as u32) << 8
                | *chunk.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(T[(v >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn base64_round_trip() {
        for s in ["SAME", "VALID", "NHWC", "BiasAdd", "Relu6"] {
            assert_eq!(base64_text(&b64(s)).unwrap(), s);
        }
        assert_eq!(base64_text("U0FNRQ==").unwrap(), "SAME");
    }

    #[test]
    fn same_padding_puts_extra_cell_after() {
        // in 4, k 3, s 2: out 2, total pad (1*2+3-4)=1 → before 0.
        assert_eq!(
            window("SAME", (0, 0), 4, 3, 2, 1).unwrap(),
            AxisWindow {
                pad_before: 0,
                out: 2
            }
        );
        // in 5, k 3, s 2: out 3, total pad (2*2+3-5)=2 → before 1.
        assert_eq!(
            window("SAME", (0, 0), 5, 3, 2, 1).unwrap(),
            AxisWindow {
                pad_before: 1,
                out: 3
            }
        );
        // in 4, k 2, s 1: total 1 → before 0 (extra at the end).
        assert_eq!(
            window("SAME", (0, 0), 4, 2, 1, 1).unwrap(),
            AxisWindow {
                pad_before: 0,
                out: 4
            }
        );
        assert_eq!(
            window("VALID", (0, 0), 7, 3, 2, 1).unwrap(),
            AxisWindow {
                pad_before: 0,
                out: 3
            }
        );
    }

    #[test]
    fn conv_3x3_same_stride_2_matches_hand_computation() {
        // 1x4x4x1 input 1..16, 3x3 kernel of ones except centre 2.
        let x = Tensor::f32(vec![1, 4, 4, 1], (1..=16).map(|v| v as f64).collect());
        let mut k = vec![1.0; 9];
        k[4] = 2.0;
        let w = Tensor::f32(vec![3, 3, 1, 1], k);
        let n = node(
            "Conv2D",
            serde_json::json!({"padding": {"s": b64("SAME")}, "strides": {"list": {"i": ["1","2","2","1"]}}}),
        );
        let y = conv_node(&n, &x, &w, false).unwrap();
        assert_eq!(y.shape, vec![1, 2, 2, 1]);
        // pad_before 0 → windows start at (0,0),(0,2),(2,0),(2,2); bottom/right padded.
        // (0,0): rows 0..3 cols 0..3 of 1..16 = 1+2+3+5+6+7+9+10+11 = 54, +centre 6 → 60.
        // (0,2): cols 2..4 (+pad) rows 0..3: 3+4+7+8+11+12 = 45, +centre 8 → 53.
        // (2,0): rows 2..4: 9+10+11+13+14+15 = 72, +centre 14 → 86.
        // (2,2): 11+12+15+16 = 54, +centre 16 → 70.
        assert_eq!(y.data, vec![60.0, 53.0, 86.0, 70.0]);
    }

    #[test]
    fn depthwise_with_multiplier_orders_channels_c_major() {
        // 1x1x1x2 input [2, 3], 1x1 filter with multiplier 2: [[10, 20], [30, 40]].
        let x = Tensor::f32(vec![1, 1, 1, 2], vec![2.0, 3.0]);
        let w = Tensor::f32(vec![1, 1, 2, 2], vec![10.0, 20.0, 30.0, 40.0]);
        let n = node(
            "DepthwiseConv2dNative",
            serde_json::json!({"padding": {"s": b64("VALID")}}),
        );
        let y = conv_node(&n, &x, &w, true).unwrap();
        assert_eq!(y.data, vec![20.0, 40.0, 90.0, 120.0]);
    }

    #[test]
    fn fused_bias_relu6_and_leaky_relu() {
        let mut y = Tensor::f32(vec![1, 2], vec![-1.0, 7.0]);
        let bias = Tensor::f32(vec![2], vec![0.5, 0.5]);
        let n = node(
            "_FusedConv2D",
            serde_json::json!({"fused_ops": {"list": {"s": [b64("BiasAdd"), b64("Relu6")]}}}),
        );
        apply_fused_ops(&n, &mut y, &[&bias]).unwrap();
        assert_eq!(y.data, vec![0.0, 6.0]);
        let mut y = Tensor::f32(vec![1, 2], vec![-1.0, 2.0]);
        let n = node(
            "_FusedConv2D",
            serde_json::json!({"fused_ops": {"list": {"s": [b64("BiasAdd"), b64("LeakyRelu")]}}, "leakyrelu_alpha": {"f": 0.1}}),
        );
        apply_fused_ops(&n, &mut y, &[&bias]).unwrap();
        assert!((y.data[0] + 0.05).abs() < 1e-12 && y.data[1] == 2.5);
    }

    #[test]
    fn avg_pool_same_excludes_padding_and_max_pool_ignores_it() {
        let x = Tensor::f32(vec![1, 3, 3, 1], (1..=9).map(|v| v as f64).collect());
        let attrs = serde_json::json!({
            "padding": {"s": b64("SAME")},
            "ksize": {"list": {"i": ["1","2","2","1"]}},
            "strides": {"list": {"i": ["1","2","2","1"]}},
        });
        let avg = pool_node(&node("AvgPool", attrs.clone()), &x, false).unwrap();
        // windows: {1,2,4,5} {3,6} {7,8} {9}
        assert_eq!(avg.data, vec![3.0, 4.5, 7.5, 9.0]);
        let neg = Tensor::f32(vec![1, 3, 3, 1], (1..=9).map(|v| -(v as f64)).collect());
        let max = pool_node(&node("MaxPool", attrs), &neg, true).unwrap();
        assert_eq!(max.data, vec![-1.0, -3.0, -7.0, -9.0]);
    }

    #[test]
    fn resize_bilinear_modes() {
        let x = Tensor::f32(vec![1, 1, 2, 1], vec![0.0, 1.0]);
        let half = resize_bilinear(&x, &[1, 4], ResizeMode::HalfPixel).unwrap();
        assert_eq!(half.data, vec![0.0, 0.25, 0.75, 1.0]);
        let legacy = resize_bilinear(&x, &[1, 4], ResizeMode::Asymmetric).unwrap();
        assert_eq!(legacy.data, vec![0.0, 0.5, 1.0, 1.0]);
        let corners = resize_bilinear(&x, &[1, 3], ResizeMode::AlignCorners).unwrap();
        assert_eq!(corners.data, vec![0.0, 0.5, 1.0]);
    }

    #[test]
    fn depth_to_space_nhwc() {
        // 1x1x1x4 → 1x2x2x1: channels fill the block row by row.
        let x = Tensor::f32(vec![1, 1, 1, 4], vec![1.0, 2.0, 3.0, 4.0]);
        let y = depth_to_space(&x, 2).unwrap();
        assert_eq!(
            (y.shape.clone(), y.data),
            (vec![1, 2, 2, 1], vec![1.0, 2.0, 3.0, 4.0])
        );
        let x = Tensor::f32(
            vec![1, 1, 2, 4],
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        );
        let y = depth_to_space(&x, 2).unwrap();
        assert_eq!(y.data, vec![1.0, 2.0, 5.0, 6.0, 3.0, 4.0, 7.0, 8.0]);
    }

    #[test]
    fn strided_slice_masks() {
        let x = Tensor::new(vec![4], vec![7.0, 8.0, 9.0, 10.0], DType::I32);
        let i = |v: Vec<f64>| Tensor::new(vec![v.len()], v, DType::I32);
        let shrink = node(
            "StridedSlice",
            serde_json::json!({"shrink_axis_mask": {"i": "1"}}),
        );
        let y = strided_slice(&shrink, &x, &i(vec![0.0]), &i(vec![1.0]), &i(vec![1.0])).unwrap();
        assert_eq!((y.shape, y.data), (vec![], vec![7.0]));
        let x = Tensor::f32(vec![1, 2, 4], (0..8).map(|v| v as f64).collect());
        let masked = node(
            "StridedSlice",
            serde_json::json!({"begin_mask": {"i": "3"}, "end_mask": {"i": "3"}}),
        );
        let y = strided_slice(
            &masked,
            &x,
            &i(vec![0.0, 0.0, 1.0]),
            &i(vec![0.0, 0.0, 2.0]),
            &i(vec![1.0, 1.0, 1.0]),
        )
        .unwrap();
        assert_eq!((y.shape, y.data), (vec![1, 2, 1], vec![1.0, 5.0]));
        let rev = node("StridedSlice", serde_json::json!({}));
        let y = strided_slice(
            &rev,
            &x,
            &i(vec![0.0, 0.0, -1.0]),
            &i(vec![1.0, 1.0, -5.0]),
            &i(vec![1.0, 1.0, -2.0]),
        )
        .unwrap();
        assert_eq!((y.shape, y.data), (vec![1, 1, 2], vec![3.0, 1.0]));
    }

    #[test]
    fn integer_floor_ops_and_topk_ties() {
        let a = Tensor::new(vec![3], vec![7.0, -7.0, 5.0], DType::I32);
        let b = Tensor::new(vec![], vec![3.0], DType::I32);
        assert_eq!(
            binary("FloorDiv", &a, &b).unwrap().data,
            vec![2.0, -3.0, 1.0]
        );
        assert_eq!(
            binary("FloorMod", &a, &b).unwrap().data,
            vec![1.0, 2.0, 2.0]
        );
        let x = Tensor::f32(vec![5], vec![0.5, 0.9, 0.5, 0.1, 0.9]);
        let out = top_k(&x, 3).unwrap();
        assert_eq!(out[0].data, vec![0.9, 0.9, 0.5]);
        assert_eq!(out[1].data, vec![1.0, 4.0, 0.0]);
    }

    #[test]
    fn broadcasting_and_reductions() {
        let a = Tensor::f32(vec![2, 1, 3], (0..6).map(|v| v as f64).collect());
        let b = Tensor::f32(vec![2, 1], vec![10.0, 20.0]);
        let y = binary("Add", &a, &b).unwrap();
        assert_eq!(y.shape, vec![2, 2, 3]);
        assert_eq!(y.data[..6], [10.0, 11.0, 12.0, 20.0, 21.0, 22.0]);
        let m = reduce("Mean", &a, &[1, 2], true).unwrap();
        assert_eq!((m.shape, m.data), (vec![2, 1, 1], vec![1.0, 4.0]));
        let t = transpose(&a, &[2, 0, 1]).unwrap();
        assert_eq!(
            (t.shape, t.data),
            (vec![3, 2, 1], vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0])
        );
    }
}
