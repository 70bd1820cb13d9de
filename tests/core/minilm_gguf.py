"""Write the bundled all-MiniLM-L6-v2 as a GGUF file for llama.cpp's server.

llama.cpp reads BERT models from GGUF; this follows its own converter for BERT
(gguf-py, the ``gguf`` package): the hyper-parameters, the WordPiece vocabulary
in llama.cpp's "phantom space" form (word starts marked with U+2581, ``##``
dropped), mean pooling, and the tensors renamed by gguf's BERT name map. The
weights are written in float32, unchanged.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import gguf
import numpy as np
from safetensors.numpy import load_file

_SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_SKIPPED = ("embeddings.position_ids", "pooler.")


def _vocabulary(folder: Path) -> tuple[list[str], list[int]]:
    words = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
    tokens: list[str] = []
    types: list[int] = []
    for word in words:
        if word in _SPECIAL:
            tokens.append(word)
            types.append(int(gguf.TokenType.CONTROL))
            continue
        tokens.append(word[2:] if word.startswith("##") else "\u2581" + word)
        types.append(int(gguf.TokenType.NORMAL))
    return tokens, types


def write_minilm_gguf(folder: Path, target: Path) -> Path:
    """Convert the sentence-transformers model in ``folder`` to ``target``."""
    config = json.loads((folder / "config.json").read_text())
    writer = gguf.GGUFWriter(str(target), "bert")
    writer.add_name("all-MiniLM-L6-v2")
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_layer_norm_eps(config["layer_norm_eps"])
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.MEAN)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    tokens, types = _vocabulary(folder)
    writer.add_tokenizer_model("bert")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_type_count(config["type_vocab_size"])
    # gguf logs every special-token kind it has no key for (cls): not our concern.
    logging.getLogger("gguf").setLevel(logging.ERROR)
    gguf.SpecialVocab(folder, n_vocab=len(tokens)).add_to_gguf(writer)
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, config["num_hidden_layers"])
    for name, tensor in load_file(str(folder / "model.safetensors")).items():
        if name.startswith(_SKIPPED):
            continue
        new = names.get_name(name, try_suffixes=(".weight", ".bias"))
        if new is None:
            raise ValueError(f"no GGUF name for tensor {name}")
        writer.add_tensor(new, tensor.astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return target
