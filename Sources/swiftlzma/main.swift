print("swiftlzma: not yet")
