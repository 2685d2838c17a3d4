using Tend.Templates.Parsing;

namespace Tend.Templates.Execution;

// Arguments: Go's type names and checks, and their evaluation.
internal sealed partial class Compiler
{
    internal static string GoTypeName(TemplateParameterType t) => t switch
    {
        TemplateParameterType.String => "string",
        TemplateParameterType.Integer => "int",
        TemplateParameterType.Float => "float64",
        TemplateParameterType.Boolean => "bool",
        TemplateParameterType.StringList => "[]string",
        TemplateParameterType.KVPairList => "[]memkv.KVPair",
        TemplateParameterType.Value => "reflect.Value",
        _ => "interface {}",
    };

    internal static object? ValidateType(ExecState s, object? value, TemplateParameterType? type)
    {
        if (type is null or TemplateParameterType.Value)
        {
            return value;
        }
        var t = type.Value;
        if (t == TemplateParameterType.Any)
        {
            return value is GoNil ? null : value;
        }
        if (value is null)
        {
            switch (t)
            {
                case TemplateParameterType.StringList:
                    return Array.Empty<string>();
                case TemplateParameterType.KVPairList:
                    return Array.Empty<KVPair>();
            }
            throw s.Error($"invalid value; expected {GoTypeName(t)}");
        }
        bool ok = t switch
        {
            TemplateParameterType.String => value is string,
            TemplateParameterType.Integer => value is long,
            TemplateParameterType.Float => value is double,
            TemplateParameterType.Boolean => value is bool,
            TemplateParameterType.StringList => value is IReadOnlyList<string>,
            TemplateParameterType.KVPairList => value is IReadOnlyList<KVPair>,
            _ => true,
        };
        if (!ok)
        {
            string got = value is GoNil ? "interface {}" : GoValues.TypeName(value);
            throw s.Error($"wrong type for value; expected {GoTypeName(t)}; got {got}");
        }
        return value;
    }

    private static bool CanBeNil(TemplateParameterType? t) =>
        t is null or TemplateParameterType.Any or TemplateParameterType.Value or TemplateParameterType.StringList or TemplateParameterType.KVPairList;

    /// <summary>Go's evalArg: an argument node evaluated for a parameter of the given type (null: untyped).</summary>
    internal EvalFn CompileArg(Node n, TemplateParameterType? type)
    {
        switch (n)
        {
            case DotNode:
                return (s, dot) =>
                {
                    s.At = n;
                    return ValidateType(s, dot, type);
                };
            case NilNode:
                if (CanBeNil(type))
                {
                    object? nil = type switch
                    {
                        TemplateParameterType.StringList => Array.Empty<string>(),
                        TemplateParameterType.KVPairList => Array.Empty<KVPair>(),
                        _ => null,
                    };
                    return (s, _) =>
                    {
                        s.At = n;
                        return nil;
                    };
                }
                return (s, _) =>
                {
                    s.At = n;
                    throw s.Error($"cannot assign nil to {GoTypeName(type!.Value)}");
                };
            case FieldNode f:
                {
                    var chain = CompileFieldChain(f, f.Ident, [n], false);
                    return (s, dot) =>
                    {
                        s.At = n;
                        s.At = f;
                        return ValidateType(s, chain(s, dot, dot, s.DotWrapped, Missing), type);
                    };
                }
            case VariableNode v:
                {
                    var cmd = CompileVariable(v, null, false);
                    return (s, dot) =>
                    {
                        s.At = n;
                        return ValidateType(s, cmd(s, dot, Missing), type);
                    };
                }
            case PipeNode p:
                {
                    var pf = CompilePipeline(p);
                    return (s, dot) =>
                    {
                        s.At = n;
                        return ValidateType(s, pf(s, dot), type);
                    };
                }
            case IdentifierNode id:
                {
                    var call = CompileFunction(id, id, null, false);
                    return (s, dot) =>
                    {
                        s.At = n;
                        return ValidateType(s, call(s, dot, Missing), type);
                    };
                }
            case ChainNode c:
                {
                    var cmd = CompileChain(c, null, false);
                    return (s, dot) =>
                    {
                        s.At = n;
                        return ValidateType(s, cmd(s, dot, Missing), type);
                    };
                }
        }
        string? error = null;
        object? value = null;
        EvalFn? dynamic = null;
        switch (type)
        {
            case TemplateParameterType.Boolean:
                if (n is BoolNode b)
                {
                    value = GoValues.Box(b.True);
                }
                else
                {
                    error = $"expected bool; found {n}";
                }
                break;
            case TemplateParameterType.String:
                if (n is StringNode str)
                {
                    value = str.Text;
                }
                else
                {
                    error = $"expected string; found {n}";
                }
                break;
            case TemplateParameterType.Integer:
                if (n is NumberNode { IsInt: true } ni)
                {
                    value = GoValues.Box(ni.Int64);
                }
                else
                {
                    error = $"expected integer; found {n}";
                }
                break;
            case TemplateParameterType.Float:
                if (n is NumberNode { IsFloat: true } nf)
                {
                    value = nf.Float64;
                }
                else
                {
                    error = $"expected float; found {n}";
                }
                break;
            case TemplateParameterType.StringList or TemplateParameterType.KVPairList:
                error = $"can't handle {n} for arg of type {GoTypeName(type.Value)}";
                break;
            default:
                switch (n)
                {
                    case BoolNode bb:
                        value = GoValues.Box(bb.True);
                        break;
                    case NumberNode num:
                        dynamic = IdealConstant(num);
                        break;
                    case StringNode ss:
                        value = ss.Text;
                        break;
                    default:
                        error = $"can't handle assignment of {n} to empty interface argument";
                        break;
                }
                break;
        }
        if (dynamic is not null)
        {
            return (s, dot) =>
            {
                s.At = n;
                return dynamic(s, dot);
            };
        }
        if (error is not null)
        {
            return (s, _) =>
            {
                s.At = n;
                throw s.Error(error);
            };
        }
        return (s, _) =>
        {
            s.At = n;
            return value;
        };
    }

    /// <summary>An argument of a CLR method call, whose parameter type is only known once the receiver is.</summary>
    internal sealed class ArgEvaluator(Compiler compiler, Node node)
    {
        private readonly EvalFn?[] _byType = new EvalFn?[8];

        public object? Eval(ExecState s, object? dot, TemplateParameterType type)
        {
            var f = _byType[(int)type];
            if (f is null)
            {
                lock (_byType)
                {
                    f = _byType[(int)type] ??= compiler.CompileArgForMethod(node, type);
                }
            }
            return f(s, dot);
        }
    }

    private readonly Lock _compileLock = new();

    private EvalFn CompileArgForMethod(Node n, TemplateParameterType type)
    {
        // Compiling after parse reuses the scope-free parts only; variables resolve by name at run time.
        lock (_compileLock)
        {
            _scope.Clear();
            return CompileArg(n, type);
        }
    }
}
