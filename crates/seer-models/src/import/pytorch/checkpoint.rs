//! A PyTorch `.pth` checkpoint (the zip format of `torch.save` ≥ 1.6): a
//! `*/data.pkl` pickle naming tensors, and `*/data/<key>` raw little-endian
//! storages. Reads a state dict into name → tensor without running Python.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::pickle::{self, Value};
use crate::import::ImportError;

/// Element type of a stored tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// 16-bit IEEE float.
    F16,
    /// 16-bit brain float.
    BF16,
    /// 64-bit signed integer.
    I64,
    /// 32-bit signed integer.
    I32,
    /// 8-bit unsigned integer.
    U8,
    /// Boolean, one byte each.
    Bool,
}

impl DType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F64 | DType::I64 => 8,
            DType::F32 | DType::I32 => 4,
            DType::F16 | DType::BF16 => 2,
            DType::U8 | DType::Bool => 1,
        }
    }

    fn from_storage_class(name: &str) -> Option<DType> {
        Some(match name {
            "FloatStorage" => DType::F32,
            "DoubleStorage" => DType::F64,
            "HalfStorage" => DType::F16,
            "BFloat16Storage" => DType::BF16,
            "LongStorage" => DType::I64,
            "IntStorage" => DType::I32,
            "ByteStorage" => DType::U8,
            "BoolStorage" => DType::Bool,
            _ => return None,
        })
    }
}

/// Where one tensor lives: its storage and its view onto it (in elements).
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    /// Element type.
    pub dtype: DType,
    /// Storage key (the file `data/<key>` in the zip).
    pub storage: String,
    /// Offset of the first element in the storage, in elements.
    pub offset: usize,
    /// Size of each dimension.
    pub shape: Vec<usize>,
    /// Stride of each dimension, in elements.
    pub strides: Vec<usize>,
}

impl TensorInfo {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A float tensor read out of a checkpoint, in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Size of each dimension.
    pub shape: Vec<usize>,
    /// Values, row-major (contiguous) regardless of the stored strides.
    pub data: Vec<f32>,
}

/// An opened checkpoint: the tensor map and the raw storages.
#[derive(Debug)]
pub struct Checkpoint {
    path: PathBuf,
    tensors: BTreeMap<String, TensorInfo>,
    storages: BTreeMap<String, Vec<u8>>,
}

impl Checkpoint {
    /// Opens a `.pth` zip checkpoint holding a state dict.
    pub fn open(path: &Path) -> Result<Checkpoint, ImportError> {
        let file = std::fs::File::open(path).map_err(|e| ImportError::io(path, e))?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| {
            ImportError::malformed(path, format!("not a PyTorch zip checkpoint ({e}); legacy pre-1.6 checkpoints are not supported"))
        })?;
        let names: Vec<String> = zip.file_names().map(str::to_string).collect();
        let pkl = names
            .iter()
            .find(|n| n.ends_with("/data.pkl") || n.as_str() == "data.pkl")
            .cloned()
            .ok_or_else(|| {
                ImportError::malformed(path, "the zip has no data.pkl: not a PyTorch checkpoint")
            })?;
        let prefix = pkl.trim_end_matches("data.pkl").to_string();
        let bytes = read_entry(&mut zip, &pkl, path)?;
        let root = pickle::read(&bytes)
            .map_err(|e| ImportError::malformed(path, format!("{pkl}: {e}")))?;
        let tensors =
            state_dict(&root).map_err(|d| ImportError::malformed(path, format!("{pkl}: {d}")))?;

        let mut storages = BTreeMap::new();
        for info in tensors.values() {
            if storages.contains_key(&info.storage) {
                continue;
            }
            let entry = format!("{prefix}data/{}", info.storage);
            if !names.contains(&entry) {
                return Err(ImportError::malformed(
                    path,
                    format!("storage {entry} named by data.pkl is missing"),
                ));
            }
            storages.insert(info.storage.clone(), read_entry(&mut zip, &entry, path)?);
        }
        let ckpt = Checkpoint {
            path: path.to_path_buf(),
            tensors,
            storages,
        };
        for (name, info) in &ckpt.tensors {
            ckpt.check_bounds(name, info)?;
        }
        Ok(ckpt)
    }

    /// The tensor map: state-dict key → where the tensor lives.
    pub fn tensors(&self) -> &BTreeMap<String, TensorInfo> {
        &self.tensors
    }

    /// Reads a floating-point tensor (f32, f16, bf16 or f64 storage) as f32.
    pub fn tensor(&self, name: &str) -> Result<Tensor, ImportError> {
        let info = self.tensors.get(name).ok_or_else(|| {
            ImportError::malformed(
                &self.path,
                format!("tensor '{name}' is not in the checkpoint"),
            )
        })?;
        let bytes = self.storages.get(&info.storage).ok_or_else(|| {
            ImportError::malformed(&self.path, format!("storage of '{name}' not loaded"))
        })?;
        let read: fn(&[u8]) -> f32 = match info.dtype {
            DType::F32 => |b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            DType::F16 => |b| half::f16::from_le_bytes([b[0], b[1]]).to_f32(),
            DType::BF16 => |b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32(),
            DType::F64 => {
                |b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            }
            other => {
                return Err(ImportError::malformed(
                    &self.path,
                    format!("tensor '{name}' has element type {other:?}, not a float type"),
                ))
            }
        };
        let size = info.dtype.size();
        let mut data = Vec::with_capacity(info.len());
        let mut index = vec![0usize; info.shape.len()];
        for _ in 0..info.len() {
            let at = info.offset
                + index
                    .iter()
                    .zip(&info.strides)
                    .map(|(i, s)| i * s)
                    .sum::<usize>();
            data.push(read(&bytes[at * size..at * size + size]));
            for d in (0..index.len()).rev() {
                index[d] += 1;
                if index[d] < info.shape[d] {
                    break;
                }
                index[d] = 0;
            }
        }
        Ok(Tensor {
            shape: info.shape.clone(),
            data,
        })
    }

    /// Checks that the last element of the view lies inside its storage.
    fn check_bounds(&self, name: &str, info: &TensorInfo) -> Result<(), ImportError> {
        let have = self.storages.get(&info.storage).map_or(0, Vec::len) as u64;
        let last = if info.is_empty() {
            0
        } else {
            info.offset
                + info
                    .shape
                    .iter()
                    .zip(&info.strides)
                    .map(|(n, s)| (n - 1) * s)
                    .sum::<usize>()
                + 1
        };
        let needed = (last * info.dtype.size()) as u64;
        if needed > have {
            return Err(ImportError::Truncated {
                model: self.path.clone(),
                file: PathBuf::from(format!("data/{} (tensor '{name}')", info.storage)),
                needed,
                got: have,
            });
        }
        Ok(())
    }
}

fn read_entry(
    zip: &mut zip::ZipArchive<std::fs::File>,
    name: &str,
    path: &Path,
) -> Result<Vec<u8>, ImportError> {
    let mut entry = zip
        .by_name(name)
        .map_err(|e| ImportError::malformed(path, format!("cannot open {name} in the zip: {e}")))?;
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::io(path, e))?;
    Ok(bytes)
}

/// Finds the dict of a state dict: a plain dict, an `OrderedDict()` call
/// filled by SETITEMS, possibly wrapped in BUILD (torch sets `_metadata`).
fn dict_items(v: &Value) -> Option<&[(Value, Value)]> {
    match v {
        Value::Dict(d) => Some(d),
        Value::Call { args, .. } => dict_items(args),
        Value::Build { obj, .. } => dict_items(obj),
        _ => None,
    }
}

fn state_dict(root: &Value) -> Result<BTreeMap<String, TensorInfo>, String> {
    let mut items = dict_items(root).ok_or("the pickle is not a dict of tensors (a state dict)")?;
    // A full checkpoint often nests the weights under "state_dict".
    if let Some((_, inner)) = items
        .iter()
        .find(|(k, _)| *k == Value::Str("state_dict".into()))
    {
        items = dict_items(inner).ok_or("'state_dict' is not a dict")?;
    }
    let mut out = BTreeMap::new();
    for (k, v) in items {
        let Value::Str(name) = k else { continue };
        if let Some(info) = tensor_info(v).map_err(|e| format!("tensor '{name}': {e}"))? {
            out.insert(name.clone(), info);
        }
    }
    if out.is_empty() {
        return Err("the state dict holds no tensors".into());
    }
    Ok(out)
}

fn int(v: &Value) -> Option<usize> {
    match v {
        Value::Int(i) => usize::try_from(*i).ok(),
        _ => None,
    }
}

fn ints(v: &Value) -> Option<Vec<usize>> {
    match v {
        Value::Tuple(xs) | Value::List(xs) => xs.iter().map(int).collect(),
        _ => None,
    }
}

/// `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`
/// → its view; `Ok(None)` for a value that is not a tensor.
fn tensor_info(v: &Value) -> Result<Option<TensorInfo>, String> {
    let Value::Call { callable, args } = v else {
        return Ok(None);
    };
    let Value::Global { module, name } = callable.as_ref() else {
        return Ok(None);
    };
    if module != "torch._utils" || !name.starts_with("_rebuild_tensor") {
        return Ok(None);
    }
    let Value::Tuple(args) = args.as_ref() else {
        return Err("rebuild arguments are not a tuple".into());
    };
    let [storage, offset, shape, strides, ..] = args.as_slice() else {
        return Err(format!(
            "{name} has {} arguments, expected at least 4",
            args.len()
        ));
    };
    let Value::Persistent(pid) = storage else {
        return Err("storage is not a persistent reference".into());
    };
    let Value::Tuple(pid) = pid.as_ref() else {
        return Err("storage reference is not a tuple".into());
    };
    // ('storage', torch.<Type>Storage, key, location, numel)
    let (class, key) = match pid.as_slice() {
        [Value::Str(tag), class, Value::Str(key), ..] if tag == "storage" => (class, key),
        _ => return Err("storage reference is not ('storage', type, key, …)".into()),
    };
    let dtype = match class {
        Value::Global { module, name } if module == "torch" => DType::from_storage_class(name)
            .ok_or_else(|| format!("storage type torch.{name} is not supported"))?,
        _ => return Err("storage type is not a torch storage class".into()),
    };
    let offset = int(offset).ok_or("storage offset is not a non-negative integer")?;
    let shape = ints(shape).ok_or("size is not a tuple of non-negative integers")?;
    let strides = ints(strides).ok_or("stride is not a tuple of non-negative integers")?;
    if shape.len() != strides.len() {
        return Err(format!(
            "size has {} dimensions but stride has {}",
            shape.len(),
            strides.len()
        ));
    }
    Ok(Some(TensorInfo {
        dtype,
        storage: key.clone(),
        offset,
        shape,
        strides,
    }))
}
