namespace Tend.Modules.Register;

/// <summary>The kinds of health check a registration can use.</summary>
public enum RegisterCheckKind
{
    /// <summary>A shell command; exit 0 is healthy.</summary>
    Command,

    /// <summary>A TCP connect to the service port.</summary>
    Tcp,

    /// <summary>An HTTP GET answering 2xx or 3xx (and containing an expected substring, when set).</summary>
    Http,
}
