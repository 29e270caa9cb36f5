#!/bin/sh
echo "hello from arm64"
