"""Reading: the bytes of a message into what a person wrote and meant (parse, text, dates,
conversations, classification, staff words), and the facts it tells (`facts`)."""
