#!/usr/bin/env python3
"""The Hugging Face side of BENCHMARKS.md's inference comparison: greedy generation of 100 new
tokens after a 51-token input (50 bytes + EOS) with a byt5-small-shaped T5ForConditionalGeneration
(random weights, fp32), at batch 1 and 16, on N threads. The byt5 side is
`OMP_NUM_THREADS=N build/bench --benchmark_filter='Encoder|Greedy100'`; run both pinned to the
same cores (taskset) on the same machine.

Needs torch and transformers; not part of the test suite.
"""
import argparse
import json
import statistics
import time

import torch
from transformers import T5Config, T5ForConditionalGeneration


def byt5_small_config():
    # google/byt5-small: d_model 1472, d_ff 3584 gated-gelu, 12 + 4 layers, 6 heads x 64, untied.
    return T5Config(vocab_size=384, d_model=1472, d_kv=64, d_ff=3584, num_layers=12, num_decoder_layers=4,
                    num_heads=6, relative_attention_num_buckets=32, relative_attention_max_distance=128,
                    dropout_rate=0.1, layer_norm_epsilon=1e-6, feed_forward_proj="gated-gelu",
                    tie_word_embeddings=False, decoder_start_token_id=0, eos_token_id=1, pad_token_id=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 16])
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = T5ForConditionalGeneration(byt5_small_config()).eval()
    ids = [3 + ord("a") + i % 26 for i in range(50)] + [1]  # the same input as build/bench
    results = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    import transformers
    results["transformers"] = transformers.__version__
    with torch.inference_mode():
        for b in args.batch:
            x = torch.tensor([ids] * b)
            enc_times, gen_times = [], []
            for r in range(args.repeats + 1):  # the first run warms up
                t0 = time.perf_counter()
                model.encoder(input_ids=x)
                t1 = time.perf_counter()
                out = model.generate(input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=100,
                                     min_new_tokens=100, do_sample=False, num_beams=1)
                t2 = time.perf_counter()
                assert out.shape[1] == 101, out.shape  # start token + 100 new tokens
                if r:
                    enc_times.append(t1 - t0)
                    gen_times.append(t2 - t1)
            results[f"encoder_b{b}_s"] = statistics.median(enc_times)
            results[f"greedy100_b{b}_s"] = statistics.median(gen_times)
            print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
