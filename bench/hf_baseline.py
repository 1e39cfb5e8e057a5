#!/usr/bin/env python3
"""The Hugging Face baseline of BENCHMARKS.md, measured the way `build/bench` measures ours.

Not part of the build or the tests: it needs PyTorch and transformers, which Debian does not
package. Random byt5-small-shaped weights (speed does not depend on them), fp32 on the CPU, the
same 51-token input as bench/engine_bench.cc (50 letters and EOS), greedy decoding forced to
exactly 100 new tokens. Prints one JSON object per measurement.

    taskset -c 2,3 python3 bench/hf_baseline.py --threads 2
"""
import argparse
import json
import statistics
import time

import torch
import transformers
from transformers import T5Config, T5ForConditionalGeneration


def byt5_small_config():
    # google/byt5-small's config.json, fields that change the math
    return T5Config(vocab_size=384, d_model=1472, d_kv=64, d_ff=3584, num_layers=12, num_decoder_layers=4,
                    num_heads=6, relative_attention_num_buckets=32, relative_attention_max_distance=128,
                    dropout_rate=0.1, layer_norm_epsilon=1e-6, feed_forward_proj="gated-gelu",
                    tie_word_embeddings=False, decoder_start_token_id=0, eos_token_id=1, pad_token_id=0)


def input_ids(batch, length=51):
    one = [ord('a') + 3 + i % 26 for i in range(length - 1)] + [1]
    return torch.tensor([one] * batch, dtype=torch.long)


def timed(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--new-tokens", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = T5ForConditionalGeneration(byt5_small_config()).eval()
    print(json.dumps({"torch": torch.__version__, "transformers": transformers.__version__,
                      "threads": torch.get_num_threads(), "mkldnn": torch.backends.mkldnn.is_available(),
                      "mkl": torch.backends.mkl.is_available()}), flush=True)
    with torch.inference_mode():
        for b in a.batches:
            ids = input_ids(b)
            med, all_t = timed(lambda: model.encoder(input_ids=ids), a.repeats)
            print(json.dumps({"what": "encoder", "batch": b, "input_tokens": ids.shape[1], "median_s": med,
                              "runs_s": all_t}), flush=True)

            def gen():
                out = model.generate(input_ids=ids, max_new_tokens=a.new_tokens, min_new_tokens=a.new_tokens,
                                     do_sample=False, num_beams=1)
                assert out.shape[1] == a.new_tokens + 1, out.shape  # start token + new tokens
            med, all_t = timed(gen, a.repeats)
            print(json.dumps({"what": "greedy", "batch": b, "new_tokens": a.new_tokens, "median_s": med,
                              "runs_s": all_t, "new_tokens_per_s": b * a.new_tokens / med}), flush=True)


if __name__ == "__main__":
    main()
