// placeholder: test to be written with the parser
