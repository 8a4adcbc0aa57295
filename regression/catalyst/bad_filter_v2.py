# script-version: 2.0
# Deliberately broken (test of start-up failure): valid syntax, but module-level code that
# fails when the script is imported (a misspelt filter name).
from paraview.simple import *
input = PVTrivialProducer(registrationName="input")
slice1 = Slicee(Input=input)
