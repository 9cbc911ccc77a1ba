"""Units (单位): the tree of employers, unions and other organisations every area shares."""
