#!/usr/bin/env bash
# Score dateline on the development data in ../shared/data (see README).
# Usage: bash tools/eval.sh [path/to/dateline]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-./target/release/dateline}
DATA=../shared/data
OUT=${TMPDIR:-/tmp}/dateline-eval
mkdir -p "$OUT"
"$BIN" batch --no-progress "$DATA/conll2003-testa" > "$OUT/conll.jsonl" || true
echo "== CoNLL-2003 testa (exact)"
python3 ../shared/eval/score_entities.py "$DATA/conll2003-testa" "$OUT/conll.jsonl" | sed -n '/^exact span + type/,/micro/p' 
"$BIN" batch --no-progress "$DATA/re3d-dev" > "$OUT/re3d.jsonl" || true
echo "== re3d dev (overlap)"
python3 ../shared/eval/score_entities.py "$DATA/re3d-dev" "$OUT/re3d.jsonl" | sed -n '/^overlap + type/,/micro/p' 
for set in tst3 dev; do
  "$BIN" batch --no-progress "$DATA/muc4/$set" > "$OUT/muc-$set.jsonl" || true
  echo "== MUC-4 $set"
  python3 ../shared/eval/muc4.py score "$DATA/muc4/$set/gold.jsonl" "$OUT/muc-$set.jsonl" | tail -14
done
