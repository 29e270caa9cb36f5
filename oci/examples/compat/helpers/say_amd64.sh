#!/bin/sh
echo "hello from amd64"
