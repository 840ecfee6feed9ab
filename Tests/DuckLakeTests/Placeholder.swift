// Keeps the test target buildable while its suites are being written.
import Testing
