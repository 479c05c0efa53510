"""The workshop and the rating form: apps over the same library functions."""
