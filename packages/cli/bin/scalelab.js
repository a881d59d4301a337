#!/usr/bin/env node
// A committed entry point, so that npm links `scalelab` at install time, before the build exists.
import '../dist/main.js';
