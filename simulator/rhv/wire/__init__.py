"""The engine's wire: the `Obj` tree every answer is built as, its XML and JSON codecs, and the
envelopes (action replies, faults) the engine wraps answers in. No model, no HTTP."""
