#!/usr/bin/env bash
echo "version: $BUILD_VERSION"
