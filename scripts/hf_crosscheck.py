#!/usr/bin/env python3
"""Cross-check byt5 against Hugging Face transformers on a model directory that byt5 wrote
(`byt5 train` checkpoints, `byt5 export`): transformers must load it with no missing or unexpected
weights, greedy ids must be identical (a first difference is accepted only where HF's top-2 logit
margin is under 1e-3, the fixtures' near-tie rule), and per-pair losses must agree to --loss-rtol.

Sources are plain text (bytes + 3, then EOS, as ByT5Tokenizer encodes text with no added tokens),
so the check does not depend on the tokenizer version. Needs torch and transformers; not part of
the test suite. Example:
  python3 scripts/hf_crosscheck.py --model models/default --byt5 build/byt5 \
      --inputs ../shared/data/topv2/weather_eval.tsv --limit 64
"""
import argparse
import json
import os
import subprocess
import sys

import torch
from transformers import T5ForConditionalGeneration


def read_sources(path, limit):
    lines = []
    with open(path, encoding="utf-8") as f:
        rows = f.read().split("\n")
    if path.endswith(".tsv"):
        header = rows[0].split("\t")
        col = header.index("utterance")
        rows = [r.split("\t")[col] for r in rows[1:] if r]
    for r in rows:
        if r and "\t" not in r:
            lines.append(r)
        if len(lines) == limit:
            break
    return lines


def byte_ids(text):
    return [b + 3 for b in text.encode("utf-8")] + [1]


def run_byt5(binary, args, stdin_text):
    p = subprocess.run([binary] + args, input=stdin_text.encode("utf-8"), capture_output=True)
    if p.returncode != 0:
        sys.exit(f"{binary} {' '.join(args)} failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    return p.stdout.decode("utf-8").rstrip("\n").split("\n")


def load_hf(model_dir):
    try:
        model, info = T5ForConditionalGeneration.from_pretrained(model_dir, dtype=torch.float32,
                                                                  output_loading_info=True)
    except TypeError:  # transformers 4.x spells it torch_dtype
        model, info = T5ForConditionalGeneration.from_pretrained(model_dir, torch_dtype=torch.float32,
                                                                  output_loading_info=True)
    tied = model.config.tie_word_embeddings
    aliases = {"encoder.embed_tokens.weight", "decoder.embed_tokens.weight"} | ({"lm_head.weight"} if tied else set())
    missing = [k for k in info.get("missing_keys", []) if k not in aliases]
    problems = {"missing": missing, "unexpected": list(info.get("unexpected_keys", [])),
                "mismatched": [str(m) for m in info.get("mismatched_keys", [])]}
    return model.eval(), problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--byt5", required=True, help="the byt5 binary")
    ap.add_argument("--inputs", required=True, help="text lines, or a TOPv2 .tsv (its utterance column)")
    ap.add_argument("--limit", type=int, default=64)
    ap.add_argument("--max-new-tokens", type=int, default=256)
    ap.add_argument("--loss-rtol", type=float, default=1e-5)
    args = ap.parse_args()

    model, problems = load_hf(args.model)
    report = {"model": args.model, "loading": problems, "vocab_size": model.config.vocab_size}
    ok = not any(problems.values())

    added = {}
    added_file = os.path.join(args.model, "added_tokens.json")
    if os.path.exists(added_file):
        with open(added_file, encoding="utf-8") as f:
            added = json.load(f)
    sources = [s for s in read_sources(args.inputs, args.limit) if not any(t in s for t in added)]

    # Greedy ids.
    ours = run_byt5(args.byt5, ["generate", "--model", args.model, "--ids", "--batch-size", "1",
                                "--max-new-tokens", str(args.max_new_tokens)], "\n".join(sources) + "\n")
    same = near_ties = 0
    failures = []
    with torch.inference_mode():
        for src, line in zip(sources, ours):
            mine = [int(t) for t in line.split()]
            x = torch.tensor([byte_ids(src)])
            out = model.generate(input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=args.max_new_tokens,
                                 do_sample=False, num_beams=1, decoder_start_token_id=0, eos_token_id=1,
                                 pad_token_id=0)
            hf = out[0, 1:].tolist()
            if hf == mine:
                same += 1
                continue
            k = next((i for i in range(min(len(hf), len(mine))) if hf[i] != mine[i]), min(len(hf), len(mine)))
            dec = torch.tensor([[0] + hf[:k]])
            logits = model(input_ids=x, decoder_input_ids=dec).logits[0, -1]
            top2 = torch.topk(logits, 2).values
            margin = float(top2[0] - top2[1])
            if margin < 1e-3:
                near_ties += 1
            else:
                failures.append({"source": src, "position": k, "hf": hf[:k + 3], "byt5": mine[:k + 3], "margin": margin})
    report["greedy"] = {"inputs": len(sources), "identical": same, "near_ties": near_ties, "failures": failures[:5],
                        "failed": len(failures)}
    ok = ok and not failures and len(ours) == len(sources)

    # Losses: each source scored against the next source as target (plain text, no added tokens).
    pairs = [(sources[i], sources[(i + 1) % len(sources)]) for i in range(len(sources))]
    our_losses = [float(v) for v in run_byt5(args.byt5, ["score", "--model", args.model],
                                             "".join(f"{s}\t{t}\n" for s, t in pairs))]
    worst = 0.0
    with torch.inference_mode():
        for (s, t), mine in zip(pairs, our_losses):
            hf = float(model(input_ids=torch.tensor([byte_ids(s)]), labels=torch.tensor([byte_ids(t)])).loss)
            worst = max(worst, abs(hf - mine) / max(abs(hf), 1e-12))
    report["loss"] = {"pairs": len(pairs), "worst_relative_difference": worst}
    ok = ok and worst <= args.loss_rtol and len(our_losses) == len(pairs)
    report["ok"] = ok
    print(json.dumps(report, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
