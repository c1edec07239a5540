#!/usr/bin/env node
import '../dist/velos.js';
