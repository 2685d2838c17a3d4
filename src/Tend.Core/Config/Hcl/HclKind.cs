namespace Tend.Core.Config.Hcl;

/// <summary>The kinds of value the HCL reader produces.</summary>
public enum HclKind
{
    String,
    Number,
    Bool,
    List,
    Object,
}
