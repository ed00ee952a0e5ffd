"""A tiny random-weight llama model as a GGUF file, for a real llama.cpp server in the slow tests
and the benchmark.

Its vocabulary is the Argos stand-in's SentencePiece model (tests/data/argos-zh_en), which covers
Chinese and English. llama.cpp needs, beyond the weights: each token's score and type (unknown,
control, normal), the 256 `<0xXX>` byte tokens appended (without them it aborts on the first
character outside the vocabulary), a chat template, and a context of at least 4,096 so that a
group's request fits.
"""

from __future__ import annotations

from pathlib import Path

from tests.standin import TOKENIZER_DIR

CONTEXT = 4096
EMBEDDING = 64
LAYERS = 2
HEADS = 4
FEED_FORWARD = 128
# A plain template of the kind llama.cpp's Jinja renderer and llama-cpp-python both take.
CHAT_TEMPLATE = (
    "{% for message in messages %}<s>{{ message['role'] }}\n{{ message['content'] }}</s>\n"
    "{% endfor %}{% if add_generation_prompt %}<s>assistant\n{% endif %}"
)


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000"


def write_tiny_llama(path: Path, *, seed: int = 0) -> Path:
    """Write the model to `path` (a few MB) and return it."""
    import gguf
    import numpy as np
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(
        model_file=str(TOKENIZER_DIR / "sentencepiece.model")
    )
    tokens: list[bytes] = []
    scores: list[float] = []
    types: list[int] = []
    for i in range(processor.get_piece_size()):
        tokens.append(processor.id_to_piece(i).encode("utf-8"))
        scores.append(processor.get_score(i))
        if processor.is_unknown(i):
            types.append(gguf.TokenType.UNKNOWN)
        elif processor.is_control(i):
            types.append(gguf.TokenType.CONTROL)
        else:
            types.append(gguf.TokenType.NORMAL)
    for byte in range(256):
        tokens.append(f"<0x{byte:02X}>".encode())
        scores.append(0.0)
        types.append(gguf.TokenType.BYTE)
    vocabulary = len(tokens)

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("bilingual-tiny-llama")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(EMBEDDING)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FEED_FORWARD)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(EMBEDDING // HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(processor.unk_id())
    writer.add_bos_token_id(processor.bos_id())
    writer.add_eos_token_id(processor.eos_id())
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_chat_template(CHAT_TEMPLATE)

    random = np.random.default_rng(seed)

    def weights(*shape: int) -> np.ndarray:
        return (random.standard_normal(shape) * 0.02).astype(np.float32)

    # Its English is noise, but never Chinese (as the Argos stand-in's): every token's embedding
    # carries a constant in dimension 0, which the small random layers leave dominant, and the
    # output row of each token that writes Han (or a raw byte, which could) turns it into a
    # logit far below the others'.
    embedding = weights(vocabulary, EMBEDDING)
    embedding[:, 0] = 1.0
    output = weights(vocabulary, EMBEDDING)
    output[:, 0] = 0.0
    for i, token in enumerate(tokens):
        if types[i] == gguf.TokenType.BYTE or any(_is_han(ch) for ch in token.decode()):
            output[i, 0] = -1.0
    ones = np.ones(EMBEDDING, dtype=np.float32)
    writer.add_tensor("token_embd.weight", embedding)
    writer.add_tensor("output_norm.weight", ones)
    writer.add_tensor("output.weight", output)
    for layer in range(LAYERS):
        block = f"blk.{layer}"
        writer.add_tensor(f"{block}.attn_norm.weight", ones)
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"{block}.{name}.weight", weights(EMBEDDING, EMBEDDING))
        writer.add_tensor(f"{block}.ffn_norm.weight", ones)
        writer.add_tensor(f"{block}.ffn_gate.weight", weights(FEED_FORWARD, EMBEDDING))
        writer.add_tensor(f"{block}.ffn_up.weight", weights(FEED_FORWARD, EMBEDDING))
        writer.add_tensor(f"{block}.ffn_down.weight", weights(EMBEDDING, FEED_FORWARD))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
