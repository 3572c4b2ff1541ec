//! Hard activations written out in elementary ops, fused back into the
//! ONNX ops ONNX Runtime runs inside its convolutions.
//!
//! MobileNetV3-style graphs store `hard_swish(x) = x · c · relu6(x + 3)`
//! and `hard_sigmoid(x) = c · relu6(x + 3)` as four or three separate
//! nodes (`Mul`, `Add`, `Clip`, `Mul`), with `c` the constant 1/6 rounded
//! by the weight format (fp16: 0.16662598). Written that way ONNX Runtime
//! runs each as its own pass over memory and converts layouts around it;
//! fused, it folds them into the convolution (CenterNet at 800×448: 71 →
//! 53 ms on 2 threads).
//!
//! The fusion is exact: `x · c · relu6(x + 3) = 6c · HardSwish(x)` and
//! `c · relu6(x + 3) = 6c · HardSigmoid(x; 1/6, 1/2)`. The factor 6c is
//! carried through the ops it commutes with (`Transpose`, `ReduceMean`, a
//! `Mul` by another tensor, an `Add` of a convolution's result, whose
//! weights and bias are divided by it) into the weights of the
//! convolutions that read the result; where some reader is not such an
//! op, a `Mul` by 6c stays.

use seer_onnx::proto::{GraphProto, NodeProto, TensorProto};
use seer_onnx::{attribute, tensor, tensor_f32, Attr, ModelProto};
use std::collections::{HashMap, HashSet};

/// A hard activation found in the graph.
struct Found {
    /// Indices of the nodes it replaces; the last is its final `Mul`.
    nodes: Vec<usize>,
    /// The activation's input.
    input: String,
    /// The value the final `Mul` produced.
    output: String,
    /// `HardSwish` or `HardSigmoid`.
    op: &'static str,
    /// The factor 6c between the graph's value and the fused op's.
    scale: f32,
}

/// Who reads and who writes each value of a graph.
struct Uses {
    producer: HashMap<String, usize>,
    consumers: HashMap<String, Vec<usize>>,
    initializer: HashMap<String, usize>,
    graph_outputs: HashSet<String>,
}

impl Uses {
    fn of(graph: &GraphProto) -> Uses {
        let mut producer = HashMap::new();
        let mut consumers: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, node) in graph.node.iter().enumerate() {
            for o in &node.output {
                producer.insert(o.clone(), i);
            }
            for input in &node.input {
                consumers.entry(input.clone()).or_default().push(i);
            }
        }
        Uses {
            producer,
            consumers,
            initializer: graph
                .initializer
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name.clone(), i))
                .collect(),
            graph_outputs: graph.output.iter().map(|o| o.name.clone()).collect(),
        }
    }

    fn readers(&self, value: &str) -> &[usize] {
        self.consumers.get(value).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The single value of a one-element float initializer.
    fn scalar(&self, graph: &GraphProto, value: &str) -> Option<f32> {
        let t = &graph.initializer[*self.initializer.get(value)?];
        match tensor::floats(t)?.as_slice() {
            [v] => Some(*v),
            _ => None,
        }
    }

    /// Whether `value` is read by exactly the node `node` and is no graph
    /// output.
    fn only_read_by(&self, value: &str, node: usize) -> bool {
        self.readers(value) == [node] && !self.graph_outputs.contains(value)
    }
}

/// `c` close enough to 1/6 to be its rounding by a weight format.
fn is_sixth(c: f32) -> bool {
    (6.0 * c - 1.0).abs() < 1e-2
}

/// The other input of a two-input node.
fn other<'a>(node: &'a NodeProto, value: &str) -> Option<&'a str> {
    match node.input.as_slice() {
        [a, b] if a == value => Some(b),
        [a, b] if b == value => Some(a),
        _ => None,
    }
}

/// A hard activation whose `Clip` is node `clip`, if it is one.
fn match_at(graph: &GraphProto, uses: &Uses, clip: usize) -> Option<Found> {
    let node = &graph.node[clip];
    if node.op_type != "Clip" || node.input.len() != 3 {
        return None;
    }
    let (lo, hi) = (
        uses.scalar(graph, &node.input[1])?,
        uses.scalar(graph, &node.input[2])?,
    );
    if lo != 0.0 || hi != 6.0 {
        return None;
    }
    let add_at = *uses.producer.get(&node.input[0])?;
    let add = &graph.node[add_at];
    if add.op_type != "Add" || !uses.only_read_by(&add.output[0], clip) {
        return None;
    }
    let x = match add.input.as_slice() {
        [a, b] if uses.scalar(graph, b) == Some(3.0) => a,
        [a, b] if uses.scalar(graph, a) == Some(3.0) => b,
        _ => return None,
    };
    let clip_out = &node.output[0];
    let [mul_at] = uses.readers(clip_out) else {
        return None;
    };
    if uses.graph_outputs.contains(clip_out) {
        return None;
    }
    let mul = &graph.node[*mul_at];
    if mul.op_type != "Mul" {
        return None;
    }
    let factor = other(mul, clip_out)?;
    if let Some(c) = uses.scalar(graph, factor).filter(|&c| is_sixth(c)) {
        return Some(Found {
            nodes: vec![add_at, clip, *mul_at],
            input: x.clone(),
            output: mul.output[0].clone(),
            op: "HardSigmoid",
            scale: 6.0 * c,
        });
    }
    // hard_swish: the other factor is x · c.
    let scaled_at = *uses.producer.get(factor)?;
    let scaled = &graph.node[scaled_at];
    if scaled.op_type != "Mul" || !uses.only_read_by(factor, *mul_at) {
        return None;
    }
    let c = uses
        .scalar(graph, other(scaled, x)?)
        .filter(|&c| is_sixth(c))?;
    let mut nodes = vec![scaled_at, add_at, clip, *mul_at];
    nodes.sort_unstable();
    Some(Found {
        nodes,
        input: x.clone(),
        output: mul.output[0].clone(),
        op: "HardSwish",
        scale: 6.0 * c,
    })
}

/// How a convolution takes a factor `s`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Take {
    /// It reads the value: its weights × s.
    Reads,
    /// Its result is added to the value: weights and bias ÷ s, so that the
    /// sum carries the factor on.
    AddsTo,
}

/// Whether initializer `value` is read only by node `node`.
fn own_initializer(uses: &Uses, value: &str, node: usize) -> bool {
    uses.initializer.contains_key(value) && uses.readers(value) == [node]
}

/// The convolution whose result (through transposes read by nothing
/// else) is `value`, read only by node `reader`, with weights and bias of
/// its own.
fn conv_behind(graph: &GraphProto, uses: &Uses, value: &str, reader: usize) -> Option<usize> {
    let (mut value, mut reader) = (value.to_string(), reader);
    loop {
        if !uses.only_read_by(&value, reader) {
            return None;
        }
        let at = *uses.producer.get(&value)?;
        let node = &graph.node[at];
        match node.op_type.as_str() {
            "Transpose" => {
                value = node.input.first()?.clone();
                reader = at;
            }
            "Conv" => {
                let own = node.input.len() == 3
                    && own_initializer(uses, &node.input[1], at)
                    && own_initializer(uses, &node.input[2], at);
                return own.then_some(at);
            }
            _ => return None,
        }
    }
}

/// The convolutions that must take the factor of `value` so that its
/// readers see the same numbers, one entry per path; false when some
/// reader does not commute with a factor.
fn factor_sinks(
    graph: &GraphProto,
    uses: &Uses,
    value: &str,
    sinks: &mut Vec<(usize, Take)>,
) -> bool {
    if uses.graph_outputs.contains(value) {
        return false;
    }
    for &r in uses.readers(value) {
        let node = &graph.node[r];
        let passes = match node.op_type.as_str() {
            "Transpose" | "ReduceMean" => node.input.first().is_some_and(|i| i == value),
            "Mul" => {
                other(node, value).is_some_and(|o| o != value && !uses.initializer.contains_key(o))
            }
            "Add" => match other(node, value) {
                Some(o) if o != value => match conv_behind(graph, uses, o, r) {
                    Some(conv) => {
                        sinks.push((conv, Take::AddsTo));
                        true
                    }
                    None => false,
                },
                _ => false,
            },
            "Conv" => {
                let reads = node.input.first().is_some_and(|i| i == value)
                    && node
                        .input
                        .get(1)
                        .is_some_and(|w| own_initializer(uses, w, r));
                if reads {
                    sinks.push((r, Take::Reads));
                    continue;
                }
                return false;
            }
            _ => false,
        };
        if !passes || !factor_sinks(graph, uses, &node.output[0], sinks) {
            return false;
        }
    }
    true
}

/// Multiplies initializer `name` by `scale`; false when it is not a
/// float tensor.
fn scale_initializer(graph: &mut GraphProto, uses: &Uses, name: &str, scale: f32) -> bool {
    let Some(&at) = uses.initializer.get(name) else {
        return false;
    };
    let t = &graph.initializer[at];
    let Some(mut values) = tensor::floats(t) else {
        return false;
    };
    for v in &mut values {
        *v *= scale;
    }
    let scaled: TensorProto = tensor_f32(&t.name, &t.dims, &values);
    graph.initializer[at] = scaled;
    true
}

/// Whether every initializer the sinks would scale is a float tensor.
fn scalable(graph: &GraphProto, uses: &Uses, sinks: &[(usize, Take)]) -> bool {
    sinks.iter().all(|&(c, take)| {
        let inputs = &graph.node[c].input;
        let scaled = match take {
            Take::Reads => &inputs[1..2],
            Take::AddsTo => &inputs[1..3],
        };
        scaled
            .iter()
            .all(|w| tensor::floats(&graph.initializer[uses.initializer[w]]).is_some())
    })
}

/// Gives the factor `scale` to every sink.
fn apply(graph: &mut GraphProto, uses: &Uses, sinks: &[(usize, Take)], scale: f32) {
    for &(c, take) in sinks {
        let inputs = graph.node[c].input.clone();
        match take {
            Take::Reads => {
                scale_initializer(graph, uses, &inputs[1], scale);
            }
            Take::AddsTo => {
                scale_initializer(graph, uses, &inputs[1], 1.0 / scale);
                scale_initializer(graph, uses, &inputs[2], 1.0 / scale);
            }
        }
    }
}

/// Fuses every hard-swish and hard-sigmoid written out in elementary ops
/// (see the module documentation); returns how many were fused.
pub fn fuse_hard_activations(model: &mut ModelProto) -> usize {
    let Some(graph) = model.graph.as_mut() else {
        return 0;
    };
    let uses = Uses::of(graph);
    let mut found: Vec<Found> = Vec::new();
    let mut taken: HashSet<usize> = HashSet::new();
    for clip in 0..graph.node.len() {
        if let Some(f) = match_at(graph, &uses, clip) {
            if f.nodes.iter().all(|n| !taken.contains(n)) {
                taken.extend(f.nodes.iter().copied());
                found.push(f);
            }
        }
    }
    // The replacement of each activation, put where its last node was.
    let mut replacement: HashMap<usize, Vec<NodeProto>> = HashMap::new();
    for f in &found {
        let mut sinks = Vec::new();
        let folded =
            factor_sinks(graph, &uses, &f.output, &mut sinks) && scalable(graph, &uses, &sinks);
        let attrs = if f.op == "HardSigmoid" {
            vec![
                attribute("alpha", Attr::Float(1.0 / 6.0)),
                attribute("beta", Attr::Float(0.5)),
            ]
        } else {
            Vec::new()
        };
        let last = *f.nodes.last().unwrap_or(&0);
        let fused_out = if folded {
            f.output.clone()
        } else {
            format!("{}/fused", f.output)
        };
        let mut nodes = vec![NodeProto {
            input: vec![f.input.clone()],
            output: vec![fused_out.clone()],
            name: format!("{}/{}", f.output, f.op),
            op_type: f.op.to_string(),
            attribute: attrs,
            ..Default::default()
        }];
        if folded {
            apply(graph, &uses, &sinks, f.scale);
        } else {
            let factor = format!("{}/factor", f.output);
            graph.initializer.push(tensor_f32(&factor, &[], &[f.scale]));
            nodes.push(NodeProto {
                input: vec![fused_out, factor],
                output: vec![f.output.clone()],
                name: format!("{}/Mul", f.output),
                op_type: "Mul".to_string(),
                ..Default::default()
            });
        }
        replacement.insert(last, nodes);
    }
    let old = std::mem::take(&mut graph.node);
    for (i, node) in old.into_iter().enumerate() {
        if let Some(nodes) = replacement.remove(&i) {
            graph.node.extend(nodes);
        } else if !taken.contains(&i) {
            graph.node.push(node);
        }
    }
    // Constants only the removed nodes read.
    let read: HashSet<&String> = graph.node.iter().flat_map(|n| n.input.iter()).collect();
    let keep: Vec<bool> = graph
        .initializer
        .iter()
        .map(|t| read.contains(&t.name))
        .collect();
    let mut keep = keep.into_iter();
    graph.initializer.retain(|_| keep.next().unwrap_or(true));
    found.len()
}
