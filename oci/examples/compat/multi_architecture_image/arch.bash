#!/usr/bin/env bash
uname -m
