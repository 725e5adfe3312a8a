"""One validation of every field, shared by pages, the API, imports and the command line.

- ``rules``: the per-field rules in plain Python (text, whole numbers, dates), no Django;
- ``files``: reading UTF-8 text and CSV files or refusing them clearly, no Django;
- ``spc_csv``: reading a CSV of points for the SPC engine, shared by ``rrp spc`` and the
  chart-your-own-data page so both give the same messages, no Django;
- ``declared``: each model field's rule, read off the model, and ``check_values`` for services;
- ``forms``: ``ValidatedForm``, the base of every form;
- ``schemas``: pydantic types for the API's schemas;
- ``cli``: bad input on the command line, exit status 2.

docs/decisions/0012-one-validation-of-every-field.md says why and how to build on it.
"""
