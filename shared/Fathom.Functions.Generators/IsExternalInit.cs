namespace System.Runtime.CompilerServices;

// netstandard2.0 lacks this marker type that records need.
internal static class IsExternalInit;
