#!/usr/bin/env python3
"""Our outputs against Hugging Face's on the full byt5-small shape (random weights), where
PyTorch and transformers are installed: greedy ids from `byt5 generate --ids` and per-pair
losses from `byt5 score`, for inputs that cover ASCII, non-ASCII, the empty string and inputs
longer than 128 bytes. The fixtures in tests/fixtures check the same on small models in CI; this
script extends the check to the real shape. Prints one JSON object per input and a summary.

    python3 bench/hf_parity.py --byt5 build/byt5 --dir /tmp/byt5-small-random
"""
import argparse
import json
import subprocess

import torch
from transformers import T5ForConditionalGeneration

from hf_baseline import byt5_small_config

TEXTS = [
    "set an alarm for 7am",
    "Wie wird das Wetter morgen in München?",
    "",
    "remind me to call mom — at 5 pm ☎",
    "what is the traffic like on the way to the airport if i leave at six thirty tomorrow morning and take the "
    "highway instead of the back roads through town",
]
TARGETS = [
    "[IN:CREATE_ALARM [SL:DATE_TIME for 7am ] ]",
    "[IN:GET_WEATHER [SL:DATE_TIME morgen ] ]",
    "[IN:UNSUPPORTED ]",
    "[IN:CREATE_REMINDER [SL:TODO call mom ] ]",
    "[IN:GET_INFO_TRAFFIC [SL:DESTINATION the airport ] ]",
]


def encode(text):
    return [b + 3 for b in text.encode("utf-8")] + [1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--byt5", required=True, help="path of our byt5 binary")
    ap.add_argument("--dir", required=True, help="where to write the random model")
    ap.add_argument("--new-tokens", type=int, default=40)
    a = ap.parse_args()

    torch.manual_seed(0)
    model = T5ForConditionalGeneration(byt5_small_config()).eval()
    model.save_pretrained(a.dir, safe_serialization=True)

    ours_ids = subprocess.run([a.byt5, "generate", "--model", a.dir, "--ids", "--max-new-tokens", str(a.new_tokens)],
                              input="\n".join(TEXTS) + "\n", capture_output=True, text=True, check=True).stdout
    ours_ids = [[int(t) for t in line.split()] for line in ours_ids.splitlines()]
    pairs = "".join(f"{s}\t{t}\n" for s, t in zip(TEXTS, TARGETS))
    ours_loss = subprocess.run([a.byt5, "score", "--model", a.dir], input=pairs, capture_output=True, text=True,
                               check=True).stdout.split()

    same_ids, worst_rel = 0, 0.0
    with torch.inference_mode():
        for i, (s, t) in enumerate(zip(TEXTS, TARGETS)):
            ids = torch.tensor([encode(s)])
            out = model.generate(input_ids=ids, max_new_tokens=a.new_tokens, do_sample=False, num_beams=1)
            hf = out[0, 1:].tolist()
            if 1 in hf:
                hf = hf[: hf.index(1) + 1]
            loss = model(input_ids=ids, labels=torch.tensor([encode(t)])).loss.item()
            rel = abs(float(ours_loss[i]) - loss) / abs(loss)
            worst_rel = max(worst_rel, rel)
            # where the ids part, the top-2 margin of HF's logits there says whether it is a near-tie
            first_diff, margin = None, None
            if hf != ours_ids[i]:
                first_diff = next((j for j, (x, y) in enumerate(zip(hf, ours_ids[i])) if x != y),
                                  min(len(hf), len(ours_ids[i])))
                dec = torch.tensor([[0] + hf[:first_diff]])
                logits = model(input_ids=ids, decoder_input_ids=dec).logits[0, -1]
                top = torch.topk(logits, 2).values
                margin = (top[0] - top[1]).item()
            else:
                same_ids += 1
            print(json.dumps({"input_bytes": len(s.encode("utf-8")), "ids_identical": hf == ours_ids[i],
                              "first_difference": first_diff, "hf_top2_margin_there": margin, "hf_loss": loss,
                              "our_loss": float(ours_loss[i]), "loss_rel_diff": rel}), flush=True)
    print(json.dumps({"inputs": len(TEXTS), "greedy_ids_identical": same_ids, "worst_loss_rel_diff": worst_rel}))


if __name__ == "__main__":
    main()
