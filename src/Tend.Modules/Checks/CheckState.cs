namespace Tend.Modules.Checks;

/// <summary>A check's state, numbered as Nagios plugins and Consul script checks exit.</summary>
public enum CheckState
{
    /// <summary>Exit 0: the resource is as it should be.</summary>
    Passing = 0,

    /// <summary>Exit 1.</summary>
    Warning = 1,

    /// <summary>Exit 2.</summary>
    Critical = 2,

    /// <summary>Exit 3: the check could not run or could not tell.</summary>
    Unknown = 3,
}
