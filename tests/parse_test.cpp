// placeholder until the parser helper lands its tests
