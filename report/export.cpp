// placeholder: implemented in a following step
