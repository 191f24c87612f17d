"""The policy side: the embedded llama.cpp chat model, policy calls, model files."""
