namespace Tend.Cli;

/// <summary>The command line is wrong in a way the parser cannot see (e.g. a store kind without what it needs); exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
