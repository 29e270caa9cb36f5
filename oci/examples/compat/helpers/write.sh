#!/bin/sh
# Writes its second argument into the file its first names.
printf "%s\n" "$2" > "$1"
