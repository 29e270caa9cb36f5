#!/usr/bin/env bash
# Appends who ran it and its arguments to $OUT_FILE.
echo "${WHO:-nobody}:$*" >>"$OUT_FILE"
