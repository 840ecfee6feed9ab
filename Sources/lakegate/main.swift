print("lakegate")
