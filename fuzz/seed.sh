#!/bin/sh
# Seed fuzz/corpus/<target>/ from testdata/ (rule fixtures, hostile inputs, link scenarios), so
# the seeds live in git only once. Safe to re-run: files are named by content hash.
#
# yaml, json: the files of that kind as they are.
# pipeline:   every file, after the selector byte the target reads first (even: YAML, odd: JSON).
# embedded:   every JSON file (a policy, most of them), once per host form (selector byte 0..4).
# terraform:  every .tf file as main.tf (selector byte 0).
set -eu
cd "$(dirname "$0")"
testdata=../testdata
for t in yaml json pipeline embedded terraform; do mkdir -p "corpus/$t"; done

# put TARGET PREFIX_BYTE_OCTAL_OR_EMPTY FILE
put() {
    tmp=$(mktemp)
    if [ -n "$2" ]; then printf "\\$2" >"$tmp"; else : >"$tmp"; fi
    cat "$3" >>"$tmp"
    sum=$(sha1sum "$tmp" | cut -c1-40)
    mv "$tmp" "corpus/$1/$sum"
}

find "$testdata/rules" "$testdata/hostile" "$testdata/link" -type f \
    \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | sort | while read -r f; do
    case "$f" in
    *.json)
        put json "" "$f"
        put pipeline 001 "$f"
        for mode in 000 001 002 003 004; do put embedded "$mode" "$f"; done
        ;;
    *)
        put yaml "" "$f"
        put pipeline 000 "$f"
        ;;
    esac
done
find "$testdata" -type f -name '*.tf' | sort | while read -r f; do
    put terraform 000 "$f"
done
for t in yaml json pipeline embedded terraform; do
    echo "$t: $(ls "corpus/$t" | wc -l) seeds"
done
