"""Models: which one a spec names (`spec`, no torch), the caller's own (`registry`, no
torch), building architectures (`architectures`), reading weights and labels files
(`weights`), and loading a frozen handle (`load`)."""
