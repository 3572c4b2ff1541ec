//! Parsing the text `.param` file: magic line, counts, one layer per line.

use crate::import::ImportError;
use std::collections::BTreeMap;
use std::path::Path;

/// The first line of every text `.param` file.
const MAGIC: &str = "7767517";

/// Parameter ids at or below this value declare arrays: `-23300 - id`.
const ARRAY_BASE: i32 = -23300;

/// One number as written in the file.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scalar {
    /// Written without a decimal point or exponent.
    Int(i32),
    /// Written with a decimal point or exponent.
    Float(f32),
}

impl Scalar {
    fn as_f32(self) -> f32 {
        match self {
            Scalar::Int(v) => v as f32,
            Scalar::Float(v) => v,
        }
    }

    fn as_i32(self) -> Option<i32> {
        match self {
            Scalar::Int(v) => Some(v),
            Scalar::Float(v) if v.fract() == 0.0 && v.abs() < 2.0e9 => Some(v as i32),
            Scalar::Float(_) => None,
        }
    }
}

/// A parameter value: one number or an array.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// `k=v`.
    Scalar(Scalar),
    /// `-233xx=n,v1,...,vn`.
    Array(Vec<Scalar>),
}

/// The `k=v` parameters of one layer, by id.
#[derive(Clone, Debug, Default)]
pub(crate) struct ParamDict {
    values: BTreeMap<i32, Value>,
}

impl ParamDict {
    /// Integer parameter `id`, or `default` when absent.
    pub(crate) fn int(&self, id: i32, default: i32) -> Result<i32, String> {
        match self.values.get(&id) {
            None => Ok(default),
            Some(Value::Scalar(s)) => s
                .as_i32()
                .ok_or_else(|| format!("parameter {id} must be an integer, found {s:?}")),
            Some(Value::Array(_)) => {
                Err(format!("parameter {id} must be a number, found an array"))
            }
        }
    }

    /// Float parameter `id`, or `default` when absent.
    pub(crate) fn float(&self, id: i32, default: f32) -> Result<f32, String> {
        match self.values.get(&id) {
            None => Ok(default),
            Some(Value::Scalar(s)) => Ok(s.as_f32()),
            Some(Value::Array(_)) => {
                Err(format!("parameter {id} must be a number, found an array"))
            }
        }
    }

    /// Array parameter `id` as floats; `None` when absent.
    pub(crate) fn floats(&self, id: i32) -> Result<Option<Vec<f32>>, String> {
        match self.values.get(&id) {
            None => Ok(None),
            Some(Value::Array(v)) => Ok(Some(v.iter().map(|s| s.as_f32()).collect())),
            Some(Value::Scalar(_)) => Err(format!("parameter {id} must be an array")),
        }
    }

    /// Array parameter `id` as integers; `None` when absent.
    pub(crate) fn ints(&self, id: i32) -> Result<Option<Vec<i32>>, String> {
        match self.values.get(&id) {
            None => Ok(None),
            Some(Value::Array(v)) => v
                .iter()
                .map(|s| {
                    s.as_i32()
                        .ok_or_else(|| format!("array parameter {id} must hold integers"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(Value::Scalar(_)) => Err(format!("parameter {id} must be an array")),
        }
    }

    /// Whether parameter `id` is present.
    pub(crate) fn has(&self, id: i32) -> bool {
        self.values.contains_key(&id)
    }
}

/// One layer line of the `.param` file.
#[derive(Clone, Debug)]
pub(crate) struct Layer {
    /// Layer type, e.g. `Convolution`.
    pub(crate) kind: String,
    /// Layer name.
    pub(crate) name: String,
    /// Names of the consumed blobs.
    pub(crate) inputs: Vec<String>,
    /// Names of the produced blobs.
    pub(crate) outputs: Vec<String>,
    /// The `k=v` parameters.
    pub(crate) params: ParamDict,
    /// 1-based line number in the file.
    pub(crate) line: usize,
}

/// Parses a text `.param` file; errors name the file and line.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Vec<Layer>, ImportError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let bad = |line: usize, detail: String| {
        ImportError::malformed(path, format!("line {line}: {detail}"))
    };

    let (line, magic) = lines
        .next()
        .ok_or_else(|| ImportError::malformed(path, "empty .param file"))?;
    if magic != MAGIC {
        return Err(bad(
            line,
            format!("expected the ncnn magic number {MAGIC}, found '{magic}' (binary .param files are not supported)"),
        ));
    }
    let (line, counts) = lines
        .next()
        .ok_or_else(|| ImportError::malformed(path, "missing the 'layer_count blob_count' line"))?;
    let counts: Vec<usize> = counts
        .split_whitespace()
        .map(|t| t.parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            bad(
                line,
                format!("expected 'layer_count blob_count', found '{counts}'"),
            )
        })?;
    if counts.len() != 2 {
        return Err(bad(line, "expected 'layer_count blob_count'".to_string()));
    }
    let layer_count = counts[0];

    // The header's count is the file's word: never reserve more layers than
    // the file has lines.
    let mut layers = Vec::with_capacity(layer_count.min(text.lines().count()));
    for (line, text) in lines {
        let layer = parse_layer(text, line).map_err(|detail| bad(line, detail))?;
        layers.push(layer);
    }
    if layers.len() != layer_count {
        return Err(ImportError::malformed(
            path,
            format!(
                "header declares {layer_count} layers but the file has {}",
                layers.len()
            ),
        ));
    }
    Ok(layers)
}

/// Parses `type name n_in n_out in... out... k=v...`.
fn parse_layer(text: &str, line: usize) -> Result<Layer, String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if tokens.len() < 4 {
        return Err(format!(
            "expected 'type name input_count output_count ...', found '{text}'"
        ));
    }
    let kind = tokens[0].to_string();
    let name = tokens[1].to_string();
    let n_in: usize = tokens[2]
        .parse()
        .map_err(|_| format!("layer '{name}': bad input count '{}'", tokens[2]))?;
    let n_out: usize = tokens[3]
        .parse()
        .map_err(|_| format!("layer '{name}': bad output count '{}'", tokens[3]))?;
    // The counts are the file's word: checked against the tokens the line
    // really has, without overflowing.
    let blobs_end = n_in
        .checked_add(n_out)
        .and_then(|n| n.checked_add(4))
        .filter(|&end| end <= tokens.len());
    let Some(blobs_end) = blobs_end else {
        return Err(format!(
            "layer '{name}' declares {n_in} inputs and {n_out} outputs but names only {}",
            tokens.len() - 4
        ));
    };
    let inputs = tokens[4..4 + n_in].iter().map(|s| s.to_string()).collect();
    let outputs = tokens[4 + n_in..blobs_end]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut params = ParamDict::default();
    for token in &tokens[blobs_end..] {
        let (id, value) = parse_param(token).map_err(|e| format!("layer '{name}': {e}"))?;
        params.values.insert(id, value);
    }
    Ok(Layer {
        kind,
        name,
        inputs,
        outputs,
        params,
        line,
    })
}

/// Parses one `k=v` token; array ids are returned as their plain id.
fn parse_param(token: &str) -> Result<(i32, Value), String> {
    let (key, value) = token
        .split_once('=')
        .ok_or_else(|| format!("bad parameter '{token}' (expected id=value)"))?;
    let id: i32 = key
        .parse()
        .map_err(|_| format!("bad parameter id in '{token}'"))?;
    if id <= ARRAY_BASE {
        let mut parts = value.split(',');
        let count: usize = parts
            .next()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("bad array length in '{token}'"))?;
        let items = parts
            .map(parse_scalar)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!("bad array value in '{token}'"))?;
        if items.len() != count {
            return Err(format!(
                "array '{token}' declares {count} values but has {}",
                items.len()
            ));
        }
        return Ok((ARRAY_BASE - id, Value::Array(items)));
    }
    let scalar = parse_scalar(value).ok_or_else(|| format!("bad parameter value in '{token}'"))?;
    Ok((id, Value::Scalar(scalar)))
}

/// An integer when written as one, else a float.
fn parse_scalar(text: &str) -> Option<Scalar> {
    if let Ok(v) = text.parse::<i32>() {
        return Some(Scalar::Int(v));
    }
    text.parse::<f32>().ok().map(Scalar::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scalars_and_arrays() {
        let layers = parse(
            "7767517\n1 2\nConvolution c 1 1 a b 0=8 1=3 -23310=2,0.5,1e-1 2=1.5\n",
            Path::new("m.param"),
        )
        .unwrap();
        let p = &layers[0].params;
        assert_eq!(p.int(0, 0).unwrap(), 8);
        assert_eq!(p.int(11, 7).unwrap(), 7);
        assert_eq!(p.floats(10).unwrap(), Some(vec![0.5, 0.1]));
        assert_eq!(p.float(2, 0.0).unwrap(), 1.5);
        assert!(p.int(2, 0).is_err());
        assert_eq!(layers[0].inputs, vec!["a"]);
        assert_eq!(layers[0].outputs, vec!["b"]);
        assert_eq!(layers[0].line, 3);
    }

    #[test]
    fn a_huge_declared_layer_count_is_an_error_not_an_allocation() {
        // 999999999 layers would reserve over 100 GB if the header were trusted.
        let err = parse(
            "7767517\n999999999 1\nInput in 0 1 x 0=3\n",
            Path::new("m.param"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("declares 999999999 layers"), "{err}");
    }

    #[test]
    fn blob_counts_that_overflow_are_an_error_not_a_panic() {
        // 1 + usize::MAX outputs wrapped around to 4 tokens (found by the
        // import fuzz run).
        let max = usize::MAX;
        for line in [
            format!("ReLU r 1 {max} a"),
            format!("ReLU r {max} 1 a"),
            format!("ReLU r {max} {max} a b"),
        ] {
            let err = parse(&format!("7767517\n1 1\n{line}\n"), Path::new("m.param"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("line 3") && err.contains("names only"),
                "{err}"
            );
        }
    }

    #[test]
    fn array_length_mismatch_names_the_line() {
        let err = parse(
            "7767517\n1 1\nInput in 0 1 x -23301=3,1,2\n",
            Path::new("m.param"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 3"), "{err}");
    }
}
