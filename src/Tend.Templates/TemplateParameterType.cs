namespace Tend.Templates;

/// <summary>
/// The Go type of a template function parameter. It decides how constants and values are
/// checked before the call, with Go's messages ("expected integer; found ...",
/// "wrong type for value; expected string; got int").
/// </summary>
public enum TemplateParameterType
{
    /// <summary>Go <c>interface{}</c>: anything; a missing value arrives as null.</summary>
    Any,

    /// <summary>Go <c>string</c>.</summary>
    String,

    /// <summary>Go <c>int</c>, passed as <see cref="long"/>.</summary>
    Integer,

    /// <summary>Go <c>float64</c>, passed as <see cref="double"/>.</summary>
    Float,

    /// <summary>Go <c>bool</c>.</summary>
    Boolean,

    /// <summary>Go <c>[]string</c>, passed as <see cref="IReadOnlyList{T}"/> of string.</summary>
    StringList,

    /// <summary>Go <c>[]memkv.KVPair</c>, passed as <see cref="IReadOnlyList{T}"/> of <see cref="KVPair"/>.</summary>
    KVPairList,

    /// <summary>Go <c>reflect.Value</c>: the raw value, where "no value" and a nil are told apart (used by builtins).</summary>
    Value,
}
